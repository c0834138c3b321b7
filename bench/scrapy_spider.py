"""The baseline: the Scrapy spider a Scrapy user would write for this blog.

    python -m bench.scrapy_spider SITE ITEMS.jsonl --concurrency 8
    scrapy runspider bench/scrapy_spider.py -a site=SITE -o items.jsonl -L WARNING \
        -s CONCURRENT_REQUESTS=8 -s CONCURRENT_REQUESTS_PER_DOMAIN=8     # the same, by hand

Archives come from the sitemaps (robots.txt -> wp-sitemap.xml -> the category and tag
sitemaps: Scrapy's own SitemapSpider), each archive is followed page by page by its next
link, and every page's posts are extracted with Scrapy selectors into items written as JSON
lines: per post its URL, heading, title, the date from the heading, the publication time
in UTC, categories, tags and text paragraphs; the latest-tips teasers once each (the block
is the same on every page, so a teaser already seen is skipped before it is read).
A post stands in several archives: it is written once per archive page it stands on, as a
plain spider does (merging is the reader's job). No throttling, no delay, robots.txt obeyed,
no HTTP cache, `concurrency` requests at once. Only for `python -m bench`: etl never
imports it, and it needs the `bench` extra (Scrapy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from parsel import Selector  # what Scrapy's response.css() gives
from scrapy import Request
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider

# "Title – 6/28/22" or "Title – 6/25/13 TOW": the last dash-separated part may be a date.
_DATED = re.compile(
    r"^(?P<title>.+?)\s+[-–]\s+(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2})(?: TOW)?$"
)


def fold(text: str | None) -> str:
    return " ".join((text or "").split())


def split_heading(heading: str) -> tuple[str, str | None]:
    """(title, ISO date or None) of a heading; a date-shaped suffix is cut even if impossible."""
    m = _DATED.match(heading)
    if m is None:
        return heading, None
    try:
        day = dt.date(2000 + int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return m["title"], None
    return m["title"], day.isoformat()


def utc(stamp: str | None) -> str | None:
    if not stamp:
        return None
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when.tzinfo else None


def post(article: Selector, response: Response) -> dict[str, Any]:
    link = article.css(".entry-title a[rel=bookmark]")
    heading = fold(link.xpath("string()").get())
    title, date = split_heading(heading)
    stamp = article.css("time.entry-date::attr(datetime)").get()
    published_at = utc(stamp)
    if date is None and stamp:  # no date in the heading: the local day of publication
        date = stamp[:10]
    blocks = article.css(".entry-content").css("p, li")
    paragraphs = (fold(p.xpath("string()").get()) for p in blocks)
    return {
        "type": "post",
        "url": response.urljoin(link.attrib.get("href", "")),
        "heading": heading,
        "title": title,
        "date": date,
        "published_at": published_at,
        "categories": [fold(c) for c in article.css('a[rel="category tag"]::text').getall()],
        "tags": sorted(
            fold(t) for t in article.css("footer .tags-links a[rel=tag]::text").getall()
        ),
        "text": [p for p in paragraphs if p],
    }


def teaser(tip: Selector, url: str) -> dict[str, Any]:
    heading = fold(tip.css("h3.tip-title > a").xpath("string()").get())
    title, date = split_heading(heading)
    excerpt = fold(tip.css("div.tip-excerpt").xpath("string()").get())
    more = fold(tip.css("div.tip-excerpt a.more-link").xpath("string()").get())
    if more and excerpt.endswith(more):
        excerpt = excerpt[: -len(more)].rstrip()
    return {
        "type": "teaser",
        "url": url,
        "heading": heading,
        "title": title,
        "date": date,
        "excerpt": excerpt,
    }


class ArchiveSpider(SitemapSpider):
    name = "archives"
    sitemap_follow = (r"wp-sitemap-taxonomies-",)  # from the index: category and tag sitemaps
    sitemap_rules = ((r"/(category|tag)/", "parse_archive"),)
    custom_settings = {  # noqa: RUF012 (Scrapy reads it from the class)
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "HTTPCACHE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, site: str = "https://cssamerica.com", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = [f"{site.rstrip('/')}/robots.txt"]
        self.teasers_seen: set[str] = set()

    def parse_archive(self, response: Response) -> Iterator[dict[str, Any] | Request]:
        for tip in response.css("div.latest-tips div.tip-post"):
            url = response.urljoin(tip.css("h3.tip-title > a::attr(href)").get(""))
            if url not in self.teasers_seen:
                self.teasers_seen.add(url)
                yield teaser(tip, url)
        for article in response.css("article.hentry"):
            yield post(article, response)
        older = (
            response.css("link[rel=next]::attr(href)").get()
            or response.css("nav.paging-navigation .nav-previous a::attr(href)").get()
        )
        if older:
            yield response.follow(older, callback=self.parse_archive)


def settings(items: str, concurrency: int) -> dict[str, Any]:
    """The run's own settings (the spider's custom_settings come on top)."""
    return {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,  # one site: the per-domain cap binds
        "LOG_LEVEL": "WARNING",  # the process's: logging is set up before the spider's settings
        "FEEDS": {items: {"format": "jsonlines", "encoding": "utf8", "overwrite": True}},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scrapy_spider", description=__doc__)
    ap.add_argument("site", help="the site's origin, e.g. http://127.0.0.1:8000")
    ap.add_argument("items", help="where the JSON lines go")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args(argv)
    process = CrawlerProcess(settings(args.items, args.concurrency))
    crawler = process.create_crawler(ArchiveSpider)
    process.crawl(crawler, site=args.site)
    process.start()
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    keep = ("downloader/response_count", "item_scraped_count", "elapsed_time_seconds")
    summary = {k: stats.get(k) for k in keep}
    summary["statuses"] = {
        k.rsplit("/", 1)[1]: v
        for k, v in stats.items()
        if k.startswith("downloader/response_status_count/")
    }
    print(json.dumps(summary))
    return 0 if stats.get("finish_reason") == "finished" else 1


if __name__ == "__main__":
    raise SystemExit(main())
