"""`etl probe`: will a run work on this site? look (at most ten polite requests through a
crawl session) -> verdict (ready, or what will fail and why) -> view (one screen, or JSON)."""
