"""Crawl: the site's pages over HTTP into the raw archive, politely.

session (client, limits, robots rules, raw writer, counters) -> discover (archives from
robots.txt, sitemaps, home page) -> archives (each archive followed page by page) -> audit
(the site's own list of posts against the corpus, and the heal).
"""
