"""The INAPROC pull against a local stand-in of the data API (127.0.0.1, never the internet),
serving the real Kab. Bandung samples (../shared/samples) as the API shapes them."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from p3dn_pipeline.lib.inaproc import (
    ENDPOINTS,
    InaprocClient,
    PullError,
    REQUEST_LOG_NAME,
    RateLimiter,
    Wait,
    pull_snapshot,
    run_pulls,
)
from p3dn_pipeline_tests.conftest import SAMPLES, require_shared_samples
from p3dn_pipeline_tests.inaproc_server import Answer, FakeInaproc, error, paged

TOKEN = "inaproc-uji-token-5f1e0c9a7b3d"
PAKET = "v1/rup/paket-penyedia-terumumkan"
STRUKTUR = "legacy/rup/struktur-anggaran-pd"
TENDER = "v1/tender/tender-selesai-nilai"


def sample(name: str) -> list[dict]:
    require_shared_samples()
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def paket_rows() -> list[dict]:
    return sample("lkpp_isb_rup_paket_penyedia_terumumkan_D107_2025_sample25.json")


class Clock:
    """Time that passes only when the code sleeps: exact waits, no slow tests."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def api():
    with FakeInaproc(TOKEN) as fake:
        yield fake


def client_for(api: FakeInaproc, token: str = TOKEN, clock: Clock | None = None,
               per_minute: int = 800, per_hour: int = 4500) -> InaprocClient:
    clock = clock or Clock()
    return InaprocClient(api.base_url, token,
                         RateLimiter(per_minute, per_hour, clock=clock, sleep=clock.sleep),
                         sleep=clock.sleep)


def pages_in(path: Path) -> list[dict]:
    """A v1 snapshot's lines, each one page's envelope."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def records_in(path: Path) -> list[dict]:
    return [record for page in pages_in(path) for record in page["data"]]


def sidecars(landing: Path) -> list[str]:
    return sorted(p.name for p in landing.rglob(".*"))


def test_pages_are_written_one_envelope_a_line_with_every_record(api, tmp_path):
    rows = paket_rows()
    api.routes[PAKET] = paged(rows, [10, 10, 5])
    with client_for(api) as client:
        result = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)

    path = tmp_path / "inaproc" / "sirup_paket_penyedia" / "D107_2025.json"
    where = {"endpoint": PAKET, "kode_klpd": "D107", "tahun": 2025}
    assert pages_in(path) == [
        {"data": rows[:10], "meta": {**where, "page": 1, "rows": 10, "has_more": True}},
        {"data": rows[10:20], "meta": {**where, "page": 2, "rows": 10, "has_more": True}},
        {"data": rows[20:], "meta": {**where, "page": 3, "rows": 5, "has_more": False}}]
    assert path.read_text(encoding="utf-8").count("\n") == 3
    assert (result.path, result.status, result.pages, result.rows, result.requests,
            result.waits, result.warnings) == (
        "inaproc/sirup_paket_penyedia/D107_2025.json", "written", 3, 25, 3, [], [])
    assert [seen.query for seen in api.seen] == [
        {"kode_klpd": "D107", "tahun": "2025", "limit": "1000"},
        {"kode_klpd": "D107", "tahun": "2025", "limit": "1000", "cursor": "c1"},
        {"kode_klpd": "D107", "tahun": "2025", "limit": "1000", "cursor": "c2"}]
    headers = api.seen[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["accept"] == "application/json"
    assert "content-type" not in headers
    assert sidecars(tmp_path) == [".D107_2025.json.lock"]


def test_a_repeated_cursor_ends_the_pull_instead_of_looping(api, tmp_path):
    rows = paket_rows()
    api.routes[PAKET] = {
        "": [Answer(body={"data": rows[:10], "meta": {"has_more": True, "cursor": "c1"}})],
        "c1": [Answer(body={"data": rows[10:20], "meta": {"has_more": True, "cursor": "c1"}})]}
    with client_for(api) as client:
        result = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert (result.pages, result.rows, result.requests) == (2, 20, 2)
    assert result.warnings == ["page 2 gave a cursor already followed; stopped there as if it "
                               "were the last page (20 rows)"]
    assert records_in(tmp_path / result.path) == rows[:20]


def test_429_waits_as_long_as_retry_after_says_then_longer_each_time(api, tmp_path):
    rows = paket_rows()
    api.routes[PAKET] = paged(rows, [10, 15])
    api.routes[PAKET]["c1"][:0] = [
        error(429, "Too Many Requests", "", {"Retry-After": "2"}),
        error(429, "Too Many Requests", "", {"Retry-After": "2"}),
        error(429, "Too Many Requests")]
    clock = Clock()
    with client_for(api, clock=clock) as client:
        result = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert result.waits == [Wait(2, "HTTP 429, Retry-After 2", 2.0),
                            Wait(2, "HTTP 429, Retry-After 2", 60.0),
                            Wait(2, "HTTP 429, no Retry-After", 120.0)]
    assert clock.slept == [2.0, 60.0, 120.0]
    assert (result.rows, result.pages, result.requests) == (25, 2, 5)


def test_5xx_and_a_dropped_connection_are_retried_page_by_page(api, tmp_path):
    rows = paket_rows()
    api.routes[PAKET] = paged(rows, [10, 15])
    api.routes[PAKET]["c1"][:0] = [error(503, "Service Unavailable", "maintenance"),
                                   Answer(drop=True), error(502, "Bad Gateway")]
    clock = Clock()
    with client_for(api, clock=clock) as client:
        result = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert [(w.page, w.seconds) for w in result.waits] == [(2, 1.0), (2, 2.0), (2, 4.0)]
    assert result.waits[0].reason == ("retry after HTTP 503; LKPP said: Service Unavailable "
                                      "(maintenance)")
    assert result.waits[1].reason.startswith("retry after network error RemoteProtocolError")
    assert [seen.cursor for seen in api.seen] == ["", "c1", "c1", "c1", "c1"]
    assert records_in(tmp_path / result.path) == rows


def test_a_malformed_page_is_fetched_again(api, tmp_path):
    rows = paket_rows()
    api.routes[PAKET] = paged(rows, [10, 15])
    api.routes[PAKET]["c1"][:0] = [Answer(body=b'{"data": [{"kd_rup": 1'),
                                   Answer(body={"data": rows[10:], "meta": "?"})]
    with client_for(api) as client:
        result = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert [(w.page, w.seconds) for w in result.waits] == [(2, 1.0), (2, 2.0)]
    assert result.waits[0].reason.startswith("retry after malformed page (not JSON")
    assert result.waits[1].reason == ('retry after malformed page (not {"data": [...], '
                                      '"meta": {...}})')
    assert result.rows == 25


def test_a_page_malformed_every_time_fails_and_the_previous_snapshot_stays(api, tmp_path):
    rows = paket_rows()
    previous = tmp_path / "inaproc" / "sirup_paket_penyedia" / "D107_2025.json"
    previous.parent.mkdir(parents=True)
    previous.write_text('{"data": [{"kd_rup": 1}], "meta": {}}', encoding="utf-8")
    api.routes[PAKET] = paged(rows, [10, 15])
    api.routes[PAKET]["c1"] = [Answer(body=b"<html>gateway</html>")]
    with client_for(api) as client, pytest.raises(PullError) as failed:
        pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert str(failed.value).startswith(
        f"{PAKET} page 2 (kode_klpd D107, tahun 2025): failed 6 times, last: malformed page "
        "(not JSON")
    assert previous.read_text(encoding="utf-8") == '{"data": [{"kd_rup": 1}], "meta": {}}'
    assert len(api.seen) == 7
    assert sidecars(tmp_path) == [".D107_2025.json.lock", ".D107_2025.json.partial",
                                  ".D107_2025.json.state"]


def test_a_wrong_token_fails_at_once_naming_endpoint_page_and_lkpps_message(api, tmp_path):
    api.routes[PAKET] = paged(paket_rows(), [25])
    with client_for(api, token="salah-token-0000") as client, pytest.raises(PullError) as failed:
        pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert str(failed.value) == (
        f"{PAKET} page 1 (kode_klpd D107, tahun 2025): HTTP 401 Unauthorized; LKPP said: "
        "Unauthorized (invalid or expired token). Check INAPROC_API_TOKEN: LKPP refused the "
        "token.")
    assert len(api.seen) == 1
    assert not (tmp_path / "inaproc" / "sirup_paket_penyedia" / "D107_2025.json").exists()


def test_an_error_quoting_the_token_is_scrubbed(api, tmp_path):
    api.routes[PAKET] = {"": [error(403, "Forbidden", f"token {TOKEN} lacks rup access")]}
    with client_for(api) as client, pytest.raises(PullError) as failed:
        pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
    assert TOKEN not in str(failed.value)
    assert "LKPP said: Forbidden (token [token] lacks rup access)" in str(failed.value)


def test_a_legacy_endpoint_is_written_as_its_bare_array(api, tmp_path):
    rows = sample("lkpp_isb_rup_struktur_anggaran_pd_D107_2025.json")
    api.routes[STRUKTUR] = {"": [Answer(body=rows)]}
    with client_for(api) as client:
        result = pull_snapshot(client, ENDPOINTS["sirup_struktur_anggaran"], "D107", 2025,
                               tmp_path)
    path = tmp_path / "inaproc" / "sirup_struktur_anggaran" / "D107_2025.json"
    assert json.loads(path.read_text(encoding="utf-8")) == rows
    assert (result.pages, result.rows, result.requests) == (1, 165, 1)
    assert [seen.query for seen in api.seen] == [{"kode_klpd": "D107", "tahun": "2025"}]


def test_an_unchanged_pull_leaves_the_file_untouched_and_no_rows_writes_nothing(api, tmp_path):
    api.routes[PAKET] = paged(paket_rows(), [25])
    with client_for(api) as client:
        first = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
        stat = (tmp_path / first.path).stat()
        again = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, tmp_path)
        assert again.status == "unchanged"
        assert (tmp_path / first.path).stat().st_mtime_ns == stat.st_mtime_ns
        api.routes[PAKET] = {"": [Answer(body={"data": [], "meta": {"has_more": False}})]}
        empty = pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2024, tmp_path)
    assert (empty.status, empty.rows) == ("empty", 0)
    assert not (tmp_path / "inaproc" / "sirup_paket_penyedia" / "D107_2024.json").exists()


def test_the_rate_limiter_waits_for_the_minute_and_the_hour_window():
    clock = Clock()
    limiter = RateLimiter(2, 3, clock=clock, sleep=clock.sleep)
    waited = [limiter.acquire() for _ in range(5)]
    # Two at t=0, the third when the first leaves the minute (t=60), the fourth when the
    # first leaves the hour (t=3600), the fifth when the second does.
    assert waited == [0.0, 0.0, 60.0, 3540.0, 0.0]
    assert clock.now - 1000.0 == 3600.0


def test_limiters_sharing_a_log_file_count_each_others_requests(tmp_path):
    """Two limiters on one file stand for two processes: the minute and the hour hold over
    the requests of both."""
    clock = Clock()
    log = tmp_path / "inaproc" / ".requests"
    first = RateLimiter(2, 3, log_path=log, clock=clock, sleep=clock.sleep)
    second = RateLimiter(2, 3, log_path=log, clock=clock, sleep=clock.sleep)
    waited = [first.acquire(), second.acquire(), second.acquire(), first.acquire(),
              second.acquire()]
    # As one limiter would: two at t=0, the third at t=60, the fourth at t=3600, the fifth
    # with it (the first two have left the hour).
    assert waited == [0.0, 0.0, 60.0, 3540.0, 0.0]
    assert log.read_text(encoding="ascii").split() == ["1060.000000", "4600.000000",
                                                        "4600.000000"]


@pytest.mark.slow
def test_two_pulls_started_together_stay_under_one_limit(api, tmp_path):
    """Two p3dn pull processes at once, 25 pages each, limits of 10 requests a "minute" of
    2 s (P3DN_INAPROC_TEST_MINUTE_S): by the server's own clock no 2 s holds more than 10
    requests of the two together."""
    rows = paket_rows()
    tender = sample("lkpp_isb_spse_tender_selesai_nilai_D107_2025_sample25.json")
    api.routes[PAKET] = paged(rows, [1] * 25)
    api.routes[TENDER] = paged(tender, [1] * 25)
    # Neither first page is answered before both are asked for: one process starting
    # seconds after the other (a loaded CI machine) cannot finish before the other begins.
    api.first_pages_together = {PAKET, TENDER}
    landing = tmp_path / "landing"
    processes = []
    for number, dataset in enumerate(("sirup_paket_penyedia", "spse_tender_selesai")):
        command, env = pull_command(landing, tmp_path / f"dh{number}", api.base_url)
        command[3] = dataset
        env.update({"P3DN_INAPROC_REQUESTS_PER_MINUTE": "10",
                    "P3DN_INAPROC_REQUESTS_PER_HOUR": "100000",
                    "P3DN_INAPROC_TEST_MINUTE_S": "2"})
        processes.append(subprocess.Popen(command, env=env, cwd=tmp_path, text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [p.returncode for p in processes] == [0, 0], "\n".join(o[-2000:] for o in outputs)

    # By the limiter's own record (the shared log, every request the two processes counted):
    # no 2 s window holds more than 10, exactly, and 50 requests took at least 8 s.
    counted = sorted(float(line) for line in
                     (landing / "inaproc" / REQUEST_LOG_NAME).read_text().split())
    assert len(counted) == 50
    assert max(sum(1 for t in counted if start <= t < start + 2.0) for start in counted) == 10
    assert counted[-1] - counted[0] >= 8.0
    times = sorted(seen.at for seen in api.seen)
    assert len(times) == 50
    # By the server's clock, up to how much later than its count a request may reach the
    # server: 0.25 s, for a process descheduled between the two on a loaded 2-core machine
    # (the exact check above is on the limiter's record).
    busiest = max(sum(1 for t in times if start <= t < start + 2.0 - 0.25) for start in times)
    assert busiest <= 10
    # The two ran at the same time: each has requests among the other's.
    paths = [seen.path for seen in sorted(api.seen, key=lambda seen: seen.at)]
    first_done = min(max(i for i, p in enumerate(paths) if p == path) for path in (PAKET,
                                                                                   TENDER))
    assert {PAKET, TENDER} <= set(paths[:first_done])
    # 50 requests, 10 per 2 s: the last no sooner than 8 s after the first.
    assert times[-1] - times[0] >= 8.0 - 0.25
    assert [p.count("wrote inaproc/") for p in outputs] == [1, 1]


def test_a_failed_dataset_does_not_stop_the_others(api, tmp_path):
    api.routes[PAKET] = paged(paket_rows(), [25])
    api.routes[TENDER] = {"": [error(400, "Bad Request", "tahun must be 2018 or later")]}
    with client_for(api) as client:
        results, failures = run_pulls(client, ["spse_tender_selesai", "sirup_paket_penyedia"],
                                      "D107", [2025], tmp_path)
    assert [(r.dataset, r.rows) for r in results] == [("sirup_paket_penyedia", 25)]
    assert failures == [("spse_tender_selesai", 2025,
                         f"{TENDER} page 1 (kode_klpd D107, tahun 2025): HTTP 400 Bad Request; "
                         "LKPP said: Bad Request (tahun must be 2018 or later).")]


@pytest.mark.slow
def test_pulled_files_load_as_their_datasets_and_the_ui_shows_each_pull(
        api, tmp_path, monkeypatch):
    """The Dagster pull job writes the files, the raw load recognises and loads them."""
    from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

    from p3dn_pipeline.definitions import all_assets, defs
    from p3dn_pipeline.lib.partitions import register_pull_years, year_range_tags
    from p3dn_pipeline.lib.resources import default_resources
    from p3dn_pipeline_tests.conftest import point_pipeline_at

    env = point_pipeline_at(monkeypatch, tmp_path)
    monkeypatch.setenv("INAPROC_API_TOKEN", TOKEN)
    monkeypatch.setenv("P3DN_INAPROC_BASE_URL", api.base_url)
    monkeypatch.setenv("P3DN_KD_KLPD", "D107")
    tender = sample("lkpp_isb_spse_tender_selesai_nilai_D107_2025_sample25.json")
    api.routes[PAKET] = paged(paket_rows(), [10, 15])
    api.routes[STRUKTUR] = {"": [Answer(body=sample(
        "lkpp_isb_rup_struktur_anggaran_pd_D107_2025.json"))]}
    api.routes[TENDER] = paged(tender, [20, 5])
    api.routes[TENDER]["c1"][:0] = [error(429, "Too Many Requests", "", {"Retry-After": "1"})]
    instance = DagsterInstance.ephemeral()
    register_pull_years(instance, [2025])
    pulled = defs.resolve_job_def("inaproc_pull").execute_in_process(
        instance=instance, tags=year_range_tags(2025, 2025),
        asset_selection=[AssetKey(["pull", name]) for name in (
            "sirup_paket_penyedia", "sirup_struktur_anggaran", "spse_tender_selesai")])
    assert pulled.success
    metadata = {event.asset_key.path[1]: {k: v.value for k, v in
                                           event.materialization.metadata.items()}
                for event in pulled.get_asset_materialization_events()}
    assert {name: (m["snapshot_file"], m["pages"], m["dagster/row_count"], m["waited_s"])
            for name, m in metadata.items()} == {
        "sirup_paket_penyedia": ("inaproc/sirup_paket_penyedia/D107_2025.json", 2, 25, 0.0),
        "sirup_struktur_anggaran": ("inaproc/sirup_struktur_anggaran/D107_2025.json", 1, 165,
                                    0.0),
        "spse_tender_selesai": ("inaproc/spse_tender_selesai/D107_2025.json", 2, 25, 1.0)}
    assert metadata["spse_tender_selesai"]["waits"] == "page 2: 1 s (HTTP 429, Retry-After 1)"

    loaded = materialize(all_assets, resources=default_resources(),
                         selection=AssetSelection.groups("raw"),
                         instance=DagsterInstance.ephemeral())
    assert loaded.success
    assert env.query("SELECT path, dataset, status, rows_loaded FROM raw.file_ledger "
                     "ORDER BY path") == [
        ("inaproc/sirup_paket_penyedia/D107_2025.json", "sirup_paket_penyedia", "loaded", 25),
        ("inaproc/sirup_struktur_anggaran/D107_2025.json", "sirup_struktur_anggaran", "loaded",
         165),
        ("inaproc/spse_tender_selesai/D107_2025.json", "spse_tender_selesai", "loaded", 25)]
    assert env.query("SELECT count(*) FROM raw.spse_tender_selesai") == [(25,)]


def test_the_schedule_skips_without_a_token_and_pulls_the_configured_years(monkeypatch):
    from dagster import instance_for_test

    with instance_for_test() as instance:
        check_the_schedule(instance, monkeypatch)


def check_the_schedule(instance, monkeypatch):
    from dagster import build_schedule_context

    from p3dn_pipeline.defs.inaproc.assets import inaproc_pull_schedule
    from p3dn_pipeline.lib.partitions import PULL_YEARS

    monkeypatch.delenv("INAPROC_API_TOKEN", raising=False)
    skipped = inaproc_pull_schedule.evaluate_tick(build_schedule_context(instance=instance))
    assert skipped.skip_message.startswith("INAPROC_API_TOKEN is not set, so nothing is pulled")
    monkeypatch.setenv("INAPROC_API_TOKEN", TOKEN)
    monkeypatch.setenv("P3DN_PULL_YEARS", "2025,2024")
    [request] = inaproc_pull_schedule.evaluate_tick(
        build_schedule_context(instance=instance)).run_requests
    assert (request.tags["dagster/asset_partition_range_start"],
            request.tags["dagster/asset_partition_range_end"]) == ("2024", "2025")
    assert instance.get_dynamic_partitions(PULL_YEARS.name) == ["2024", "2025"]
    assert inaproc_pull_schedule.cron_schedule == "0 5 * * *"
    assert inaproc_pull_schedule.execution_timezone == "Asia/Jakarta"


def pull_command(landing: Path, dagster_home: Path, base_url: str) -> tuple[list[str], dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("P3DN_", "DAGSTER_"))}
    env.update({"P3DN_LANDING_DIR": str(landing), "DAGSTER_HOME": str(dagster_home),
                "INAPROC_API_TOKEN": TOKEN, "P3DN_INAPROC_BASE_URL": base_url,
                "P3DN_KD_KLPD": "D107", "PYTHONUNBUFFERED": "1"})
    dagster_home.mkdir(parents=True, exist_ok=True)
    p3dn = str(Path(sys.executable).with_name("p3dn"))
    return [p3dn, "pull", "--dataset", "sirup_paket_penyedia", "--year", "2025"], env


@pytest.mark.slow
def test_a_pull_killed_mid_way_resumes_at_its_last_page_and_writes_the_same_file(
        api, tmp_path):
    rows = paket_rows()
    sizes = [5, 5, 5, 5, 5]
    api.routes[PAKET] = paged(rows, sizes)
    landing = tmp_path / "landing"
    final = landing / "inaproc" / "sirup_paket_penyedia" / "D107_2025.json"
    final.parent.mkdir(parents=True)
    final.write_text('[{"kd_rup": 1}]', encoding="utf-8")  # last week's snapshot
    command, env = pull_command(landing, tmp_path / "dh", api.base_url)

    api.stall_at = (PAKET, "c2")  # page 3
    killed = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        assert api.stalled.wait(timeout=120), killed.stdout.read().decode()[-2000:]
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        if killed.poll() is None:
            killed.kill()
    assert killed.returncode == -signal.SIGKILL
    assert final.read_text(encoding="utf-8") == '[{"kd_rup": 1}]'
    state = json.loads(final.with_name(".D107_2025.json.state").read_text(encoding="utf-8"))
    assert (state["pages"], state["rows"], state["cursor"]) == (2, 10, "c2")
    assert [seen.cursor for seen in api.seen] == ["", "c1", "c2"]

    api.stall_at = None
    api.release.set()
    api.routes[PAKET] = paged(rows, sizes)
    before = len(api.seen)
    resumed = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    assert [seen.cursor for seen in api.seen[before:]] == ["c2", "c3", "c4"]
    assert ("sirup_paket_penyedia D107 2025: wrote inaproc/sirup_paket_penyedia/D107_2025.json; "
            "25 rows, 5 pages, 3 requests, waited 0 s, resumed at page 3") in resumed.stdout
    assert sidecars(landing) == [".D107_2025.json.lock", ".requests"]
    # Both processes counted each of their requests in the shared log; no token in it.
    log = (landing / "inaproc" / ".requests").read_text(encoding="ascii")
    assert len(log.split()) == len(api.seen) == 6
    assert TOKEN not in log

    uninterrupted = tmp_path / "uninterrupted"
    api.routes[PAKET] = paged(rows, sizes)
    with client_for(api) as client:
        pull_snapshot(client, ENDPOINTS["sirup_paket_penyedia"], "D107", 2025, uninterrupted)
    assert final.read_bytes() == (
        uninterrupted / "inaproc" / "sirup_paket_penyedia" / "D107_2025.json").read_bytes()


V6 = "v1/ekatalog/paket-e-purchasing"


@pytest.mark.slow
def test_pulled_v6_orders_and_sirup_plans_are_staged_with_the_served_figures(
        api, tmp_path, monkeypatch):
    """p3dn pull (a real process) writes v6 orders served under the API's English names and
    SiRUP plans; the load and staging take every row, and the figures are those of the
    records the server served, summed here from them."""
    from dagster import AssetSelection

    from p3dn_pipeline_tests.conftest import point_pipeline_at
    from p3dn_pipeline_tests.inaproc_server import v6_order_as_served

    env = point_pipeline_at(monkeypatch, tmp_path)
    orders = [v6_order_as_served(order) for order in
              sample("lkpp_isb_ecat_paket_epurchasing_v6_D107_2025_sample25.json")]
    plans = paket_rows()
    api.routes[V6] = paged(orders, [10, 10, 5])
    api.routes[PAKET] = paged(plans, [20, 5])
    command, child_env = pull_command(env.landing, tmp_path / "dh", api.base_url)
    command = [command[0], "pull", "--dataset", "ekatalog_paket_v6",
               "--dataset", "sirup_paket_penyedia", "--year", "2025"]
    pulled = subprocess.run(command, env=child_env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert pulled.returncode == 0, pulled.stdout[-2000:] + pulled.stderr[-2000:]
    assert len(pages_in(env.landing / "inaproc" / "ekatalog_paket_v6" / "D107_2025.json")) == 3

    staged = env.materialize(selection=AssetSelection.assets(*(
        ["staging", name] for name in ("ekatalog_paket_v6", "sirup_paket_penyedia",
                                       "sirup_struktur_anggaran"))))
    assert staged.success
    assert env.query("SELECT path, dataset, status, rows_loaded FROM raw.file_ledger "
                     "ORDER BY path") == [
        ("inaproc/ekatalog_paket_v6/D107_2025.json", "ekatalog_paket_v6", "loaded", 25),
        ("inaproc/sirup_paket_penyedia/D107_2025.json", "sirup_paket_penyedia", "loaded", 25)]
    # Worked out from what was served, not from the warehouse.
    served_total = sum(Decimal(str(o["total"])) for o in orders
                       if o["kode_klpd"] == "D107" and o["fiscal_year"] == 2025)
    served_pagu = sum(Decimal(str(p["pagu"])) for p in plans
                      if p["kd_klpd"] == "D107" and p["tahun_anggaran"] == 2025)
    assert (len(orders), len(plans)) == (25, 25)
    assert env.query(
        "SELECT count(*), sum(total_harga_rp), count(DISTINCT kd_paket) "
        "FROM staging.ekatalog_paket_v6 WHERE kd_klpd = 'D107' AND tahun_anggaran = 2025"
    ) == [(25, served_total, 25)]
    assert env.query("SELECT count(*) FROM quarantine.ekatalog_paket_v6") == [(0,)]
    assert env.query(
        "SELECT count(*), sum(pagu_rp) FROM staging.sirup_paket_penyedia "
        "WHERE kd_klpd = 'D107' AND tahun_anggaran = 2025") == [(25, served_pagu)]
    # The order's own fields, under their export names.
    first = orders[0]
    assert env.query(
        "SELECT kd_rup, tgl_order, status_pkt, kd_satker_str FROM staging.ekatalog_paket_v6 "
        "WHERE kd_paket = ?", [first["order_id"]]) == [
        (int(first["rup_code"]), dt.date.fromisoformat(first["order_date"]), first["status"],
         first["kode_satker"])]


def big_year_of_orders(count: int) -> list[dict]:
    """``count`` distinct v6 orders as the API serves them, the samples' fields repeated."""
    from p3dn_pipeline_tests.inaproc_server import v6_order_as_served

    orders = [v6_order_as_served(order) for order in
              sample("lkpp_isb_ecat_paket_epurchasing_v6_D107_2025_sample25.json")]
    return [{**orders[n % len(orders)], "order_id": f"01BIG{n:021d}", "total": 1000 + n}
            for n in range(count)]


def load_folder(con, folder: Path) -> None:
    """The raw load of the daily run, on one folder."""
    from p3dn_pipeline.lib import ledger
    from p3dn_pipeline.lib.sources import registry

    now = dt.datetime(2025, 10, 1, 6, 0)
    ledger.take_inventory(con, folder, now)
    for dataset in registry().datasets:
        ledger.load_pending(con, dataset, folder, now)


@pytest.mark.slow
def test_a_year_larger_than_the_json_value_limit_loads_page_by_page(
        api, tmp_path, warehouse_con, monkeypatch):
    """45 pages of 1000 orders (about 40 MB): a snapshot over twice P3DN_MAX_JSON_RECORD_MB
    (16 MB, the least DuckDB reads with; it takes a value up to twice that), which as one
    envelope would be refused; written a page a line, it loads whole."""
    from p3dn_pipeline.lib.limits import MB, load_limits

    monkeypatch.setenv("P3DN_MAX_JSON_RECORD_MB", "1")
    assert load_limits().max_json_record_bytes == 16 * MB
    orders = big_year_of_orders(45_000)
    api.routes[V6] = paged(orders, [1000] * 45)
    landing = tmp_path / "landing"
    with client_for(api) as client:
        result = pull_snapshot(client, ENDPOINTS["ekatalog_paket_v6"], "D107", 2025, landing)
    snapshot = landing / result.path
    assert (result.pages, result.rows, result.warnings) == (45, 45_000, [])
    assert snapshot.stat().st_size > 2 * 16 * MB
    assert max(len(line) for line in snapshot.read_bytes().splitlines()) < 2 * MB

    load_folder(warehouse_con, landing)
    assert warehouse_con.execute(
        "SELECT path, status, dataset, rows_loaded, reason FROM raw.file_ledger").fetchall() == [
        ("inaproc/ekatalog_paket_v6/D107_2025.json", "loaded", "ekatalog_paket_v6", 45_000,
         'read from INAPROC API response pages, one envelope ({"data": [...], "meta": {...}}) '
         "per line, with rows under data")]
    # Every order once, in the order served: row n is order n.
    assert warehouse_con.execute(
        "SELECT count(DISTINCT kd_paket), min(_source_row), max(_source_row), "
        "sum(CAST(total_harga AS BIGINT)), "
        "count(*) FILTER (WHERE kd_paket <> printf('01BIG%021d', _source_row - 1)) "
        "FROM raw.ekatalog_paket_v6").fetchall() == [
        (45_000, 1, 45_000, sum(o["total"] for o in orders), 0)]


def test_a_page_over_the_json_value_limit_is_refused_saying_so(tmp_path, warehouse_con):
    from p3dn_pipeline.lib.limits import MB

    orders = big_year_of_orders(3)
    giant = {**orders[2], "rup_name": "x" * (40 * MB)}
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "pages.json").write_text(
        json.dumps({"data": orders[:2], "meta": {"page": 1}}) + "\n"
        + json.dumps({"data": [giant], "meta": {"page": 2}}) + "\n", encoding="utf-8")
    load_folder(warehouse_con, folder)
    assert warehouse_con.execute(
        "SELECT status, rows_loaded, reason FROM raw.file_ledger").fetchall() == [
        ("rejected", None,
         "pages.json has a JSON record larger than 16 MB (P3DN_MAX_JSON_RECORD_MB); no export "
         "record is that large: check the file, or raise the limit if it is genuine")]
