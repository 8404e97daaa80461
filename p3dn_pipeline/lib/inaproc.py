"""Pulling LKPP's datasets from the INAPROC data API into the landing folder.

Each pull of one dataset x kode_klpd x year becomes one snapshot file,
``<landing>/inaproc/<dataset>/<kode_klpd>_<tahun>.json``, in the API's own JSON shape (for a
v1 endpoint its pages, one envelope ``{"data": [...], "meta": {...}}`` a line, so that the
loader reads one page at a time however large the year; a legacy endpoint's bare array), so
the file ledger, recognition by fields and the snapshot rule load it like any export. The
file is replaced only once the new pull is complete.

Files next to it, hidden (a leading dot), so the landing folder's discovery and the landing
sensor never see them:

- ``.<name>.partial``: the new file as far as it has been fetched, records of every completed
  page; renamed over ``<name>`` when the last page is in;
- ``.<name>.state``: how far the partial file is good (pages, rows, bytes, the next cursor):
  written after each page's records are on disk, so a pull killed at any point restarts from
  its last completed page and cuts away whatever it wrote after that;
- ``.<name>.lock``: held while a pull runs, so two pulls of the same slice never interleave.

And ``<landing>/inaproc/.requests``: the times of the requests of the last hour, which every
pull into this landing folder counts against the rate limits (RateLimiter).

No function here logs or returns the API token: it lives in the client's Authorization
header only, and every message built from a response is scrubbed of it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import fcntl
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from p3dn_pipeline.lib.files import fsync_path
from p3dn_pipeline.lib.limits import load_limits, megabytes
from p3dn_pipeline.lib.sources import registry
from p3dn_pipeline.settings import load_settings

if TYPE_CHECKING:
    import httpx

API_BASE_URL = "https://data.inaproc.id/api"
TOKEN_ENV = "INAPROC_API_TOKEN"
BASE_URL_ENV = "P3DN_INAPROC_BASE_URL"
YEARS_ENV = "P3DN_PULL_YEARS"
PER_MINUTE_ENV = "P3DN_INAPROC_REQUESTS_PER_MINUTE"
PER_HOUR_ENV = "P3DN_INAPROC_REQUESTS_PER_HOUR"
# For tests only: the length in seconds of the limiter's "minute" (its hour is 60 of them),
# so that a test of two processes sharing the limits takes seconds. Never set it in
# production: LKPP's limits are per real minute and hour.
TEST_MINUTE_ENV = "P3DN_INAPROC_TEST_MINUTE_S"
REQUEST_LOG_NAME = ".requests"
# Below LKPP's own limits (1000 a minute, 5000 an hour), so that a person using the same
# token by hand at the same time does not push the pull into 429s.
DEFAULT_PER_MINUTE = 800
DEFAULT_PER_HOUR = 4500
PAGE_LIMIT = 1000  # the API's maximum
# 5000 pages of 1000 rows is far beyond any pemda's year; a pull that gets there is a cursor
# that never ends, and is stopped rather than left to spend the hour's quota.
MAX_PAGES = 5000
MAX_ATTEMPTS = 6          # per page, for 5xx, network errors and malformed pages
MAX_THROTTLED = 8         # per page, for 429
RETRY_BASE_S = 1.0        # 1, 2, 4, 8, 16 s between attempts
THROTTLE_BASE_S = 60.0    # 429 without Retry-After: 60, 120, 240 ... s (the window is 60 s)
MAX_WAIT_S = 3600.0
# A partial pull older than this is begun again rather than resumed: its first pages and the
# rest would be two different days' data in one snapshot.
RESUME_MAX_AGE_S = 12 * 3600
SNAPSHOT_FOLDER = "inaproc"


@dataclass(frozen=True)
class Endpoint:
    dataset: str  # the dataset of the registry its records are recognised as
    path: str     # below the base URL

    @property
    def paged(self) -> bool:
        # v1 endpoints page with a cursor; legacy ones answer with one bare array.
        return self.path.startswith("v1/")


# Declared by each source folder beside its dataset (Dataset.inaproc_endpoint).
ENDPOINTS: dict[str, Endpoint] = {
    d.name: Endpoint(d.name, d.inaproc_endpoint)
    for d in registry().datasets if d.inaproc_endpoint}


class PullError(RuntimeError):
    """A pull that failed; the message names the endpoint, the page and LKPP's message."""


@dataclass(frozen=True)
class PullConfig:
    base_url: str
    kd_klpd: str
    years: list[int]
    per_minute: int
    per_hour: int
    minute_s: float = 60.0


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PullError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise PullError(f"{name}={raw!r} must be 1 or more")
    return value


def pull_years(today: dt.date | None = None) -> list[int]:
    """``P3DN_PULL_YEARS`` (e.g. ``2025,2026``), else this year and last (Jakarta time)."""
    raw = os.environ.get(YEARS_ENV, "").strip()
    if not raw:
        from zoneinfo import ZoneInfo

        year = (today or dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()).year
        return [year - 1, year]
    years = []
    for part in re.split(r"[,\s]+", raw):
        if not re.fullmatch(r"\d{4}", part):
            raise PullError(f"{YEARS_ENV}={raw!r}: {part!r} is not a year (e.g. 2025,2026)")
        years.append(int(part))
    return sorted(set(years))


def load_pull_config() -> PullConfig:
    kd_klpd = os.environ.get("P3DN_KD_KLPD", "DKI").strip()
    check_kd_klpd(kd_klpd)
    return PullConfig(
        base_url=os.environ.get(BASE_URL_ENV, "").strip() or API_BASE_URL,
        kd_klpd=kd_klpd, years=pull_years(),
        per_minute=_positive_int(PER_MINUTE_ENV, DEFAULT_PER_MINUTE),
        per_hour=_positive_int(PER_HOUR_ENV, DEFAULT_PER_HOUR),
        minute_s=float(_positive_int(TEST_MINUTE_ENV, 60)))


def request_log_path(landing_dir: Path) -> Path:
    """The requests of the last hour, shared by every pull into this landing folder."""
    return landing_dir / SNAPSHOT_FOLDER / REQUEST_LOG_NAME


def check_kd_klpd(kd_klpd: str) -> None:
    # It becomes part of a file name.
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", kd_klpd):
        raise PullError(f"P3DN_KD_KLPD={kd_klpd!r} is not an LKPP government code "
                        "(letters, digits, '-' or '_', e.g. D107)")


@dataclass(frozen=True)
class Wait:
    page: int
    reason: str
    seconds: float

    def __str__(self) -> str:
        return f"page {self.page}: {self.seconds:g} s ({self.reason})"


class RateLimiter:
    """At most ``per_minute`` requests in any minute and ``per_hour`` in any hour, over every
    request made through it.

    With a ``log_path`` the requests are counted in that file, under an OS lock (flock), by
    every process that uses the same file: two pulls started together (the 05:00 schedule
    and a ``p3dn pull`` by hand, or the job's steps in their own processes) share the
    token's quota instead of each spending all of it. The file holds the times of the
    requests of the last hour, one a line; it is not a secret. Without it, the limiter counts
    the requests of its own process only."""

    def __init__(self, per_minute: int, per_hour: int, *, log_path: Path | None = None,
                 minute_s: float = 60.0,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep):
        self.per_minute, self.per_hour = per_minute, per_hour
        self.minute_s, self.hour_s = minute_s, 60 * minute_s
        self.log_path = log_path
        self.clock, self.sleep = clock, sleep
        self._sent: list[float] = []
        self._lock = threading.Lock()
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)

    def acquire(self) -> float:
        """Wait until one more request is allowed and count it; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                wait = self._take_or_wait()
            if wait <= 0:
                return waited
            self.sleep(wait)
            waited += wait

    def _take_or_wait(self) -> float:
        if self.log_path is None:
            self._sent, wait = self._counted(self._sent)
            return wait
        with self.log_path.open("a+", encoding="ascii") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # released when the file closes
            log.seek(0)
            sent = []
            for line in log.read().split():
                try:
                    sent.append(float(line))
                except ValueError:
                    continue  # a line cut by a crash: one request less counted
            kept, wait = self._counted(sent)
            log.seek(0)
            log.truncate()
            log.write("".join(f"{at:.6f}\n" for at in kept))
            log.flush()
            return wait

    def _counted(self, sent: list[float]) -> tuple[list[float], float]:
        """The requests still within the hour, with this one when it may go now; else the
        seconds to wait before asking again."""
        now = self.clock()
        sent = sorted(at for at in sent if now - at < self.hour_s)
        wait = 0.0
        if len(sent) >= self.per_hour:
            wait = sent[-self.per_hour] + self.hour_s - now
        recent = [at for at in sent if now - at < self.minute_s]
        if len(recent) >= self.per_minute:
            wait = max(wait, recent[-self.per_minute] + self.minute_s - now)
        if wait <= 0:
            sent.append(now)
        return sent, wait


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds (a number, or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return min(float(value), MAX_WAIT_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return min(max((when - now).total_seconds(), 0.0), MAX_WAIT_S)


class InaprocClient:
    """GETs of the data API's pages: rate-limited, retried, and judged."""

    def __init__(self, base_url: str, token: str, limiter: RateLimiter, *,
                 sleep: Callable[[float], None] = time.sleep, timeout_s: float = 120.0):
        if not token:
            raise PullError(f"{TOKEN_ENV} is not set: no pull without LKPP's API token "
                            "(see the README, 'Pulling exports from the INAPROC data API')")
        self._token = token
        self.limiter = limiter
        self.sleep = sleep
        self.requests = 0
        # httpx is imported here, not with the module: every process that loads the
        # definitions imports this one, and only a pull needs an HTTP client (0.12 s of
        # every start-up).
        import httpx

        self._transport_error = httpx.TransportError
        # No Content-Type: a GET has no body, and the API refuses one that claims a type.
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/", timeout=timeout_s, follow_redirects=False,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> InaprocClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "[token]") if self._token else text

    def get_page(self, endpoint: Endpoint, params: dict, page: int,
                 waits: list[Wait]) -> dict | list:
        """One page's JSON, after as many retries as it takes within the limits; each wait
        (rate limiter, 429, retry) is appended to ``waits``."""
        where = (f"{endpoint.path} page {page} (kode_klpd {params['kode_klpd']}, "
                 f"tahun {params['tahun']})")
        failures = throttled = 0
        while True:
            waited = self.limiter.acquire()
            if waited:
                waits.append(Wait(page, "rate limit", waited))
            self.requests += 1
            try:
                response = self._http.get(endpoint.path, params=params)
            except self._transport_error as error:
                problem = self.scrub(f"network error {type(error).__name__}: {error}")
            else:
                status = response.status_code
                if status == 429:
                    throttled += 1
                    told = retry_after_seconds(response.headers.get("Retry-After"))
                    if throttled > MAX_THROTTLED:
                        raise PullError(f"{where}: still HTTP 429 Too Many Requests after "
                                        f"{MAX_THROTTLED} waits; {self._lkpp_says(response)}")
                    # Retry-After is honoured as given the first time; a page refused again
                    # waits longer each time, never less than LKPP asked.
                    floor = (0.0 if throttled == 1 and told is not None
                             else THROTTLE_BASE_S * 2 ** max(throttled - 2, 0))
                    wait = min(max(told or 0.0, floor), MAX_WAIT_S)
                    reason = ("HTTP 429, Retry-After " + response.headers["Retry-After"]
                              if told is not None else "HTTP 429, no Retry-After")
                    self.sleep(wait)
                    waits.append(Wait(page, reason, wait))
                    continue
                if status >= 500:
                    problem = f"HTTP {status}; {self._lkpp_says(response)}"
                elif status >= 400:
                    hint = (f" Check {TOKEN_ENV}: LKPP refused the token."
                            if status in (401, 403) else "")
                    raise PullError(f"{where}: HTTP {status} "
                                    f"{response.reason_phrase}; {self._lkpp_says(response)}."
                                    f"{hint}")
                else:
                    payload, problem = self._judge(endpoint, response)
                    if problem is None:
                        return payload
            failures += 1
            if failures >= MAX_ATTEMPTS:
                raise PullError(f"{where}: failed {failures} times, last: {problem}")
            wait = RETRY_BASE_S * 2 ** (failures - 1)
            self.sleep(wait)
            waits.append(Wait(page, f"retry after {problem}", wait))

    def _judge(self, endpoint: Endpoint, response: httpx.Response
               ) -> tuple[dict | list | None, str | None]:
        """The page, or what is wrong with it (worth asking again: a cut-off transfer)."""
        try:
            payload = response.json()
        except ValueError as error:
            return None, f"malformed page (not JSON: {error})"
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            raise PullError(f"{endpoint.path}: HTTP {response.status_code} with an error; "
                            f"{self._lkpp_says(response)}")
        if endpoint.paged:
            if not (isinstance(payload, dict) and isinstance(payload.get("data"), list)
                    and isinstance(payload.get("meta"), dict)):
                return None, 'malformed page (not {"data": [...], "meta": {...}})'
            records = payload["data"]
        else:
            if not isinstance(payload, list):
                return None, "malformed page (not a JSON array)"
            records = payload
        if not all(isinstance(record, dict) for record in records):
            return None, "malformed page (a record is not a JSON object)"
        return payload, None

    def _lkpp_says(self, response: httpx.Response) -> str:
        try:
            error = response.json().get("error")
            message = f"LKPP said: {error.get('message')}"
            if error.get("details"):
                message += f" ({error['details']})"
        except (ValueError, AttributeError):
            message = f"LKPP said: {response.text.strip()[:200] or '(nothing)'}"
        return self.scrub(message[:500])


@dataclass
class PullResult:
    dataset: str
    endpoint: str
    kd_klpd: str
    year: int
    path: str            # the snapshot file, relative to the landing folder
    status: str          # written | unchanged | empty (no rows: no file written)
    pages: int
    rows: int
    requests: int
    resumed_from_page: int | None
    waits: list[Wait] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def waited_s(self) -> float:
        return sum(w.seconds for w in self.waits)

    def summary(self) -> str:
        text = {"written": f"wrote {self.path}", "unchanged": f"{self.path} unchanged",
                "empty": "no rows, no file written (the previous snapshot, if any, stays)"
                }[self.status]
        resumed = (f", resumed at page {self.resumed_from_page}"
                   if self.resumed_from_page else "")
        return (f"{self.dataset} {self.kd_klpd} {self.year}: {text}; {self.rows} rows, "
                f"{self.pages} pages, {self.requests} requests, waited "
                f"{self.waited_s:g} s{resumed}")


def snapshot_path(landing_dir: Path, dataset: str, kd_klpd: str, year: int) -> Path:
    return landing_dir / SNAPSHOT_FOLDER / dataset / f"{kd_klpd}_{year}.json"


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{suffix}")


def _record_bytes(records: Iterable[dict], first: bool) -> bytes:
    # A legacy bare array: one record per line, in the API's own field names and order.
    parts = []
    for record in records:
        parts.append(("\n" if first else ",\n")
                     + json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        first = False
    return "".join(parts).encode("utf-8")


def _page_bytes(records: list[dict], meta: dict) -> bytes:
    # One v1 page as one line, {"data": [...], "meta": {...}}: the loader reads the file a
    # page at a time, so no value it reads grows with the year's data. The meta says where
    # the page came from, never the cursor (opaque, and it would make two pulls of the same
    # data differ).
    return (json.dumps({"data": records, "meta": meta}, ensure_ascii=False,
                       separators=(",", ":")) + "\n").encode("utf-8")


def _write_at(path: Path, offset: int, data: bytes) -> int:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
    return offset + len(data)


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    with temp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def pull_snapshot(client: InaprocClient, endpoint: Endpoint, kd_klpd: str, year: int,
                  landing_dir: Path, *, max_pages: int = MAX_PAGES,
                  clock: Callable[[], float] = time.time) -> PullResult:
    """Pull one dataset x kode_klpd x year into its snapshot file, resuming a pull that was
    stopped; the previous snapshot stays in place until the new one is complete."""
    check_kd_klpd(kd_klpd)
    final = snapshot_path(landing_dir, endpoint.dataset, kd_klpd, year)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial, state_path = _sidecar(final, "partial"), _sidecar(final, "state")
    with _sidecar(final, "lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PullError(f"{endpoint.path} (kode_klpd {kd_klpd}, tahun {year}): another "
                            f"pull of {final.name} is running; try again when it has "
                            "finished") from None
        return _pull_locked(client, endpoint, kd_klpd, year, landing_dir, final, partial,
                            state_path, max_pages, clock)


def _pull_locked(client, endpoint, kd_klpd, year, landing_dir, final, partial, state_path,
                 max_pages, clock) -> PullResult:
    # The layout too: a partial file written by an older version is begun again.
    identity = {"endpoint": endpoint.path, "kode_klpd": kd_klpd, "tahun": year,
                "limit": PAGE_LIMIT, "layout": "page-per-line" if endpoint.paged else "array"}
    waits: list[Wait] = []
    warnings: list[str] = []
    requests_before = client.requests
    state = _resumable_state(state_path, partial, identity, clock())
    resumed_from = state["pages"] + 1 if state else None
    if state is None:
        opening = b"" if endpoint.paged else b"["
        partial.write_bytes(opening)
        state = {**identity, "started_at": clock(), "pages": 0, "rows": 0,
                 "bytes": len(opening), "cursor": "", "seen": []}
    limit = load_limits().max_json_record_bytes
    while True:
        page = state["pages"] + 1
        if page > max_pages:
            raise PullError(f"{endpoint.path} (kode_klpd {kd_klpd}, tahun {year}): still "
                            f"has_more after {max_pages} pages; stopped (the previous "
                            "snapshot stays)")
        params = {"kode_klpd": kd_klpd, "tahun": year}
        if endpoint.paged:
            params["limit"] = PAGE_LIMIT
            if state["cursor"]:
                params["cursor"] = state["cursor"]
        payload = client.get_page(endpoint, params, page, waits)
        records = payload["data"] if endpoint.paged else payload
        done = True
        if endpoint.paged:
            meta = payload["meta"]
            following = str(meta.get("cursor") or "")
            done = not meta.get("has_more") or not following
            if not done and (following in state["seen"] or following == state["cursor"]):
                # The API has been seen to hand back a cursor it gave before: following it
                # would fetch the same pages again, for ever.
                warnings.append(f"page {page} gave a cursor already followed; stopped there "
                                f"as if it were the last page ({state['rows'] + len(records)} "
                                "rows)")
                done = True
            if records:
                line = _page_bytes(records, {
                    "endpoint": endpoint.path, "kode_klpd": kd_klpd, "tahun": year,
                    "page": page, "rows": len(records), "has_more": not done})
                if len(line) > limit:
                    warnings.append(f"page {page} is {megabytes(len(line))}, more than "
                                    f"P3DN_MAX_JSON_RECORD_MB ({megabytes(limit)}), which one "
                                    "page must fit to load: raise P3DN_MAX_JSON_RECORD_MB")
                state["bytes"] = _write_at(partial, state["bytes"], line)
            if state["cursor"]:
                state["seen"].append(state["cursor"])
            state["cursor"] = following
        else:
            state["bytes"] = _write_at(partial, state["bytes"],
                                       _record_bytes(records, first=state["rows"] == 0))
        state["pages"], state["rows"] = page, state["rows"] + len(records)
        _write_atomically(state_path, json.dumps(state))
        if done:
            break
    relative = final.relative_to(landing_dir).as_posix()
    result = PullResult(endpoint.dataset, endpoint.path, kd_klpd, year, relative, "written",
                        state["pages"], state["rows"], client.requests - requests_before,
                        resumed_from, waits, warnings)
    if state["rows"] == 0:
        # An export with no rows is rejected by the ledger anyway, and must never replace
        # the last good one.
        result.status = "empty"
    else:
        if not endpoint.paged:
            _write_at(partial, state["bytes"], b"\n]\n")
        if final.is_file() and final.read_bytes() == partial.read_bytes():
            # Same data, same bytes: the file is left as it was, so nothing reloads it.
            result.status = "unchanged"
        else:
            os.replace(partial, final)
            fsync_path(final.parent)
    partial.unlink(missing_ok=True)
    state_path.unlink(missing_ok=True)
    return result


def _resumable_state(state_path: Path, partial: Path, identity: dict, now: float
                     ) -> dict | None:
    """The state of a stopped pull of the same slice, when its partial file holds at least
    what the state says was completed; None to begin again."""
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        size = partial.stat().st_size
    except (OSError, ValueError):
        return None
    if any(state.get(key) != value for key, value in identity.items()):
        return None
    if now - state.get("started_at", 0) > RESUME_MAX_AGE_S or size < state.get("bytes", 0):
        return None
    return state


def run_pulls(client: InaprocClient, datasets: Iterable[str], kd_klpd: str,
              years: Iterable[int], landing_dir: Path,
              on_result: Callable[[PullResult], None] | None = None,
              on_error: Callable[[str, int, PullError], None] | None = None
              ) -> tuple[list[PullResult], list[tuple[str, int, str]]]:
    """Every dataset x year in turn; a failed one does not stop the others. Returns the
    results and the failures (dataset, year, message)."""
    results, failures = [], []
    for dataset in datasets:
        for year in years:
            try:
                result = pull_snapshot(client, ENDPOINTS[dataset], kd_klpd, year, landing_dir)
            except PullError as error:
                failures.append((dataset, year, client.scrub(str(error))))
                if on_error:
                    on_error(dataset, year, error)
                continue
            results.append(result)
            if on_result:
                on_result(result)
    return results, failures


class InaprocApi(ConfigurableResource):
    """The data API client of one run: one rate limiter for every dataset the run pulls.

    The token is an ``EnvVar``: the UI and the run's config show the variable's name, never
    its value. The base URL, the pemda, the years and the limits are read from the
    environment when the run starts (see lib/inaproc.py)."""

    token: str
    _client: InaprocClient | None = PrivateAttr(default=None)
    _config: PullConfig | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._config = load_pull_config()
        limiter = RateLimiter(self._config.per_minute, self._config.per_hour,
                              log_path=request_log_path(load_settings().landing_dir),
                              minute_s=self._config.minute_s)
        self._client = InaprocClient(self._config.base_url, self.token, limiter)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()

    @property
    def client(self) -> InaprocClient:
        assert self._client is not None
        return self._client

    @property
    def config(self) -> PullConfig:
        assert self._config is not None
        return self._config
