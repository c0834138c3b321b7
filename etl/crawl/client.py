"""One polite HTTP client: a rate limit per host, a concurrency limit, a size cap, and one
retry policy (tenacity) built from `Settings`, every retry and give-up counted by reason.

A request here is one URL, one response: redirects are returned, not followed (the crawler
follows them itself so it can refuse those that leave the origin).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING

from etl.crawl.codings import CodingError, Decoder, parse_codings
from etl.crawl.raw import clean_headers
from etl.records import Fetch
from etl.settings import Settings
from etl.urls import origin

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

log = logging.getLogger(__name__)

# Statuses worth another try: the server is busy or briefly broken, not refusing us.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# How a refused body's `Fetch.error` starts (the crawl turns them into failure reasons).
REFUSED_TOO_LARGE = "refused: response too large"
REFUSED_CODING = "refused: content-coding"  # more than two, one not asked for, or broken


@dataclass(frozen=True, slots=True)
class Wait:
    """A wait a server asked for with `Retry-After`, and the one we made (the cap is
    `Settings.retry_max_wait`)."""

    url: str
    status: int | None
    asked_s: float
    waited_s: float


@dataclass(slots=True)
class Stats:
    """The counts a run collects as it goes (mutable; frozen into the CrawlResult at the end)."""

    requests: Counter[str] = field(default_factory=Counter)  # by status, or "error"
    retries: Counter[str] = field(default_factory=Counter)  # by reason
    gave_up: Counter[str] = field(default_factory=Counter)  # by reason
    waits: list[Wait] = field(default_factory=list)  # every Retry-After honoured, in order


class _Retryable(Exception):
    """An attempt that may succeed later; carries what it got, for the record if we give up."""

    def __init__(self, reason: str, fetch: Fetch, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fetch = fetch
        self.retry_after = retry_after


class RateLimit:
    """At most `rate` request starts per second, and never two closer than 1/rate.

    Waiters queue on a lock and the next slot counts from the moment a request really starts,
    so a late wake-up delays the ones after it instead of bunching them together.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_start = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        async with self._lock:
            if (delay := self.next_start - loop.time()) > 0:
                await asyncio.sleep(delay)
            self.next_start = loop.time() + self.interval


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Client:
    """`async with Client(settings, stats) as c: fetch = await c.fetch(url)`."""

    def __init__(
        self,
        settings: Settings,
        stats: Stats,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.stats = stats
        self._transport = transport  # None: the network; unit tests pass a MockTransport
        self._limits: dict[str, RateLimit] = {}
        # URL -> ("request", since) or ("retry", until), in loop time: what `pending` names.
        self._busy: dict[str, tuple[str, float]] = {}
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))

    async def __aenter__(self) -> Client:
        import httpx

        s = self.settings
        self._http = httpx.AsyncClient(
            follow_redirects=False,
            cookies=_no_cookies(),  # a crawler has no session: nothing set is sent back
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip"},
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            limits=httpx.Limits(max_connections=max(1, s.concurrency)),
            transport=self._transport,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    async def fetch(self, url: str, headers: dict[str, str] | None = None) -> Fetch:
        """GET with retries; the last attempt's outcome when every attempt failed."""
        try:  # the first attempt outside the retry policy: its loop costs ~50 µs a request
            return await self._once(url, headers or {})
        except _Retryable as first:
            return await self._retry(url, headers or {}, first)

    async def _retry(self, url: str, headers: dict[str, str], first: _Retryable) -> Fetch:
        """The retry policy, its first attempt being the one that failed (`first`)."""
        from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

        s = self.settings
        attempts, failed = 0, [first]
        policy = AsyncRetrying(
            stop=stop_after_attempt(max(1, s.retry_attempts)),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            async for attempt in policy:
                with attempt:
                    attempts += 1
                    if failed:
                        raise failed.pop()
                    fetch = await self._once(url, headers)
        except _Retryable as exc:
            self.stats.gave_up[exc.reason] += 1
            log.warning("Gave up retrying %s (failed %d times): %s", url, attempts, exc.reason)
            error = f"gave up after {attempts} attempts: {exc.reason}"
            return replace(exc.fetch, attempts=attempts, error=error)
        return replace(fetch, attempts=attempts)

    def _wait(self, state: RetryCallState) -> float:
        from tenacity import wait_random_exponential

        s = self.settings
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, s.retry_max_wait)
        backoff = wait_random_exponential(multiplier=s.retry_initial, max=s.retry_max_wait)
        return float(backoff(state))

    def _count_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if not isinstance(exc, _Retryable):
            return
        url, sleep = exc.fetch.url, state.next_action.sleep if state.next_action else 0.0
        self.stats.retries[exc.reason] += 1
        self._busy[url] = ("retry", asyncio.get_running_loop().time() + sleep)
        log.info("retrying %s after attempt %d: %s", url, state.attempt_number, exc.reason)
        if exc.retry_after is not None:
            self.stats.waits.append(Wait(url, exc.fetch.status, exc.retry_after, sleep))
            if exc.retry_after > sleep:
                log.warning(
                    "%s asked to wait %.0f s (Retry-After); waiting %.0f s "
                    "(Settings.retry_max_wait)", url, exc.retry_after, sleep,
                )  # fmt: skip

    def pending(self) -> list[str]:
        """What the client is waiting for right now, one line per URL (for a run that has to
        stop: a deadline, a signal)."""
        now = asyncio.get_running_loop().time()
        return [
            f"{url} (response awaited for {now - at:.0f} s)"
            if what == "request"
            else f"{url} (retry in {max(0.0, at - now):.0f} s)"
            for url, (what, at) in sorted(self._busy.items())
        ]

    def _limit(self, url: str) -> RateLimit:
        host = origin(url)
        if host not in self._limits:
            self._limits[host] = RateLimit(self.settings.rate)
        return self._limits[host]

    async def _once(self, url: str, headers: dict[str, str]) -> Fetch:
        import httpx

        async with self._slots:
            await self._limit(url).wait()
            fetched_at = _now()
            self._busy[url] = ("request", asyncio.get_running_loop().time())
            try:
                return await self._receive(url, headers, fetched_at)
            except httpx.TimeoutException as exc:
                reason, error = "timeout", f"{type(exc).__name__}: {exc}"
            except httpx.TransportError as exc:
                reason, error = type(exc).__name__, f"{type(exc).__name__}: {exc}"
            finally:
                self._busy.pop(url, None)
        self.stats.requests["error"] += 1
        raise _Retryable(reason, Fetch(url, None, fetched_at, error=error))

    async def _receive(self, url: str, headers: dict[str, str], fetched_at: dt.datetime) -> Fetch:
        cap = self.settings.max_bytes
        async with self._http.stream("GET", url, headers=headers) as response:
            self.stats.requests[str(response.status_code)] += 1
            kept = clean_headers(tuple(response.headers.multi_items()))
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > cap:
                return _too_large(url, fetched_at, f"announced {announced} bytes")
            try:
                codings = parse_codings(response.headers.get_list("Content-Encoding"))
                body = await _read_body(response, Decoder(codings), cap)
            except CodingError as exc:
                return Fetch(url, None, fetched_at, error=f"refused: {exc}")
            if isinstance(body, str):
                return _too_large(url, fetched_at, body)
        fetch = Fetch(url, response.status_code, fetched_at, kept, body)
        fetch = replace(fetch, request_headers=tuple(response.request.headers.multi_items()))
        if response.status_code in RETRY_STATUSES:
            wait = retry_after(response.headers.get("Retry-After"))
            raise _Retryable(str(response.status_code), fetch, wait)
        return fetch


async def _read_body(response: httpx.Response, decoder: Decoder, cap: int) -> bytes | str:
    """The decoded body, or why it is over the cap: raw and decoded bytes are counted as they
    come, and reading stops at the first piece past the cap (the rest never reaches memory)."""
    body, received = bytearray(), 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > cap:
            return f"more than {cap} bytes received"
        for piece in decoder.feed(chunk):
            if len(body) + len(piece) > cap:
                return f"more than {cap} bytes once decoded"
            body += piece
    return bytes(body)


def _no_cookies() -> CookieJar:
    """A cookie jar that refuses every cookie (httpx keeps and resends them by default)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _too_large(url: str, fetched_at: dt.datetime, detail: str) -> Fetch:
    error = f"{REFUSED_TOO_LARGE} ({detail}; the cap is Settings.max_bytes)"
    return Fetch(url, None, fetched_at, error=error)
