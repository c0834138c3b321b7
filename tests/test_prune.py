"""Raw archive retention: `etl prune` removes old runs and keeps what the tables still need."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from etl.cli import main
from etl.crawl.prune import prune
from etl.crawl.raw import RawArchive
from etl.crawl.rawwriter import RawWriter
from etl.pipeline import rebuild, run_corpus
from etl.records import Fetch
from etl.replay.server import ReplayServer, serve
from etl.settings import Settings, load_settings
from tests.replay_settings import fast_settings
from tests.test_pipeline import without_lastmod
from tests.test_raw import write_old_style

T0 = dt.datetime(2026, 1, 1, 3, 17, tzinfo=dt.UTC)
A, B, C = (f"http://127.0.0.1:1/tag/{x}/" for x in "abc")
SENT = (("Host", "127.0.0.1:1"), ("User-Agent", "cssamerica-etl/test"))
SITE = Path(__file__).parent / "fixtures" / "site"


def fetch(url: str, status: int, night: int, body: bytes = b"") -> Fetch:
    headers = (("ETag", f'"{url[-2]}{night}"'),) if status == 200 else ()
    when = T0 + dt.timedelta(days=night)
    return Fetch(url, status, when, headers, body, request_headers=SENT)


def nights(raw: Path, plan: list[list[tuple[str, int]]], start: int = 0) -> list[str]:
    """One run per night: (url, status) fetched; a 200's body names its url and night."""
    runs = []
    for night, fetches in enumerate(plan, start=start):
        run_id = f"2026010{night + 1}T031700Z-00000{night}"
        with RawWriter(raw, run_id) as writer:
            for url, status in fetches:
                writer.write(fetch(url, status, night, f"{url} night {night}".encode()))
        runs.append(run_id)
    return runs


def state(raw: Path, needed: set[str]) -> tuple[Any, ...]:
    """What both readers see: the offline rebuild's responses and the conditional requests."""
    archive = RawArchive(raw)
    bodies = {f.url: (f.body, f.fetched_at, f.headers) for f in archive.latest()}
    return bodies, archive.validators(needed), archive.validators()


def test_old_runs_go_and_what_the_readers_need_stays(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    runs = nights(
        raw,
        [
            [(A, 200), (B, 200), (C, 404)],  # B answers 304 ever after: night 0 has its only copy
            [(A, 200), (B, 304)],
            [(A, 304), (B, 304), (C, 200)],
            [(A, 200), (B, 304)],  # a killed run: its pages never reached the tables
        ],
    )
    needed = set(runs[:3])
    before = state(raw, needed)
    result = prune(raw, 1, needed=needed)
    assert result.pruned == tuple(runs[:3]) and result.kept == (runs[3],)
    assert state(raw, needed) == before
    # A of night 1 (the tables' validators), B of night 0 and C of night 2 were copied; A of
    # night 0, the 404 and the 304s were not. The killed run stays whole.
    assert result.copied == 3 and result.bytes_after < result.bytes_before
    compact = raw / str(result.compacted)
    assert sorted(p.name for p in raw.iterdir()) == sorted(
        [
            compact.name,
            compact.name.replace(".warc.gz", ".index.jsonl"),
            f"{runs[3]}.warc.gz",
            f"{runs[3]}.index.jsonl",
        ]
    )
    assert compact.name == f"{runs[2]}.compact.warc.gz"
    copied = {(e.url, e.run_id) for e in RawArchive(raw).entries() if e.warc == compact.name}
    assert copied == {(A, runs[1]), (B, runs[0]), (C, runs[2])}


def test_the_compacted_file_is_a_valid_warc_with_requests_kept(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    runs = nights(raw, [[(A, 200), (B, 200)], [(A, 304), (B, 200)]])
    result = prune(raw, 1, needed=set(runs))
    with (raw / str(result.compacted)).open("rb") as stream:
        records = [
            (r, r.content_stream().read()) for r in ArchiveIterator(stream, check_digests=True)
        ]
    assert [r.rec_type for r, _ in records] == ["warcinfo", "request", "response"]
    assert all(r.digest_checker.passed for r, _ in records)
    (info, fields), (request, _), (response, body) = records
    assert info.rec_headers.get_header("WARC-Filename") == result.compacted
    assert b"etl-compacted-runs: " + runs[0].encode() in fields
    linked = request.rec_headers.get_header("WARC-Concurrent-To")
    assert linked == response.rec_headers.get_header("WARC-Record-ID")
    assert response.rec_headers.get_header("WARC-Target-URI") == A
    assert body == f"{A} night 0".encode()


def test_pruning_again_compacts_the_compacted_file_too(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    runs = nights(raw, [[(A, 200), (B, 200)], [(A, 304), (B, 304)], [(A, 304), (B, 200)]])
    first = prune(raw, 2, needed=set(runs))
    assert first.pruned == (runs[0],) and first.copied == 1  # A; B came again on night 2
    more = nights(raw, [[(A, 304), (C, 200)], [(C, 304)]], start=3)
    needed = {*runs, *more}
    before = state(raw, needed)
    second = prune(raw, 1, needed=needed)
    assert second.pruned == (runs[1], runs[2], more[0]) and second.copied == 3  # A, B, C
    assert state(raw, needed) == before
    assert not (raw / str(first.compacted)).exists()
    assert len(list(raw.glob("*.compact.warc.gz"))) == 1


def test_first_format_files_are_compacted_too(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    write_old_style(raw, "20251231T031700Z-0000ff", [fetch(A, 200, -1, b"old a")])
    runs = nights(raw, [[(B, 200)]])
    needed = {"20251231T031700Z-0000ff", *runs}
    before = state(raw, needed)
    assert prune(raw, 1, needed=needed).copied == 1
    assert state(raw, needed) == before


def test_an_interrupted_prune_leaves_nothing_the_next_one_does_not_clean(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    runs = nights(raw, [[(A, 200)], [(A, 304)], [(A, 304)]])
    (raw / ".prune.abc.tmp").write_bytes(b"half a file")
    orphan = raw / "20251201T031700Z-dead00.warc.gz"  # its index already deleted
    orphan.write_bytes(b"")
    before = state(raw, set(runs))
    assert prune(raw, 1, needed=set(runs)).pruned == tuple(runs[:2])
    assert not orphan.exists() and not list(raw.glob(".prune.*"))
    assert state(raw, set(runs)) == before


def test_keep_runs_zero_keeps_everything_and_negative_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    runs = nights(raw, [[(A, 200)], [(A, 200)]])
    files = sorted(raw.iterdir())
    assert prune(raw, 0, needed=set(runs)).pruned == ()
    assert prune(raw, 2, needed=set(runs)).pruned == ()
    assert sorted(raw.iterdir()) == files
    with pytest.raises(ValueError, match="keep_runs"):
        prune(raw, -1, needed=set(runs))
    assert load_settings(env={"ETL_KEEP_RUNS": "14"}).keep_runs == 14
    assert Settings().keep_runs == 0


# -- end to end: the real pipeline, the replay server, `etl prune`, `etl load` ---------------


def tables(data: Path, rebuild_run: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, with the rebuild's own run id made neutral (and so the row order,
    which sorts by run id: two runs in one second sort by their random suffix)."""
    found = {}
    for path in sorted((data / "processed").glob("*.parquet")):
        rows = pq.read_table(path).to_pylist()
        for row in rows:
            if row.get("run_id") == rebuild_run:
                row["run_id"] = "<rebuild>"
        found[path.stem] = sorted(rows, key=repr)
    return found


def conditional(srv: ReplayServer, since: int) -> list[tuple[str, str | None, str | None]]:
    return sorted(
        (e.path, e.headers.get("if-none-match"), e.headers.get("if-modified-since"))
        for e in srv.log[since:]
    )


def test_after_prune_the_rebuild_and_the_refresh_are_unchanged(tmp_path: Path) -> None:
    kept, pruned = tmp_path / "kept", tmp_path / "pruned"
    # Sitemaps without lastmod: the refresh asks every archive with its validators.
    first = without_lastmod(SITE / "snapshot-1", tmp_path / "snapshot-1")
    second = without_lastmod(SITE / "snapshot-2", tmp_path / "snapshot-2")
    with serve(first) as srv:
        assert run_corpus(fast_settings(srv, kept, concurrency=2)).exit_status == 0
        srv.swap(second)  # every archive page changes; robots.txt does not
        for _ in range(2):
            assert run_corpus(fast_settings(srv, kept, concurrency=2)).exit_status == 0
        shutil.copytree(kept, pruned)
        assert main(["prune", "--keep-runs", "1", "--data-dir", str(pruned), "--quiet"]) == 0

        runs = sorted(p.name.removesuffix(".index.jsonl") for p in (kept / "raw").glob("*.index*"))
        left = sorted(p.name for p in (pruned / "raw").iterdir())
        assert left == sorted(
            [
                f"{runs[2]}.warc.gz",
                f"{runs[2]}.index.jsonl",
                f"{runs[1]}.compact.warc.gz",
                f"{runs[1]}.compact.index.jsonl",
            ]
        )
        compacted = {e.run_id for e in RawArchive(pruned / "raw").entries()}
        assert runs[0] in compacted  # deep archive pages no incremental run reads again

        rebuilt = [rebuild(fast_settings(srv, d)) for d in (kept, pruned)]
        assert all(r.exit_status == 0 for r in rebuilt)
        assert tables(kept, rebuilt[0].run_id) == tables(pruned, rebuilt[1].run_id)

        sent = []
        for data in (kept, pruned):
            since = len(srv.log)
            assert run_corpus(fast_settings(srv, data, concurrency=2)).exit_status == 0
            sent.append(conditional(srv, since))
        assert sent[0] == sent[1]
        assert sum(1 for _, etag, _ in sent[0] if etag) >= 10


def test_cli_reads_keep_runs_from_the_config_and_says_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert main(["prune", "--keep-runs", "1", "--data-dir", str(data)]) == 0
    assert "no raw archive in" in capsys.readouterr().out and not data.exists()
    nights(data / "raw", [[(A, 200)], [(A, 304)], [(A, 304)]])
    config = tmp_path / "etl.toml"
    config.write_text("keep_runs = 0\n")
    assert main(["prune", "--data-dir", str(data), "--config", str(config)]) == 0
    assert "keep_runs 0 keeps every run" in capsys.readouterr().out
    config.write_text("keep_runs = 2\n")
    assert main(["prune", "--data-dir", str(data), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pruned 1 run(s) (20260101T031700Z-000000 .. 20260101T031700Z-000000)")
    assert "kept 2 whole, 1 still-needed response(s) in 20260101T031700Z-000000.compact" in out
    assert main(["prune", "--keep-runs", "-1", "--data-dir", str(data)]) == 2  # usage error
    assert "keep_runs" in capsys.readouterr().err
    assert main(["prune", "--keep-runs", "nan", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "'keep_runs': 'nan'" in err and "allowed" in err and err.count("\n") == 1


def test_etl_corpus_prunes_after_a_successful_run_when_keep_runs_is_set(tmp_path: Path) -> None:
    with serve(SITE / "snapshot-1") as srv:
        s = fast_settings(srv, tmp_path, keep_runs=1)
        first = run_corpus(s)
        srv.swap(SITE / "snapshot-2")
        second = run_corpus(s)
        site = srv.url
    assert first.exit_status == second.exit_status == 0
    left = sorted(p.name for p in (tmp_path / "raw").iterdir())
    assert left == sorted(
        [
            f"{second.run_id}.warc.gz",
            f"{second.run_id}.index.jsonl",
            f"{first.run_id}.compact.warc.gz",
            f"{first.run_id}.compact.index.jsonl",
        ]
    )
    with (tmp_path / "raw" / f"{second.run_id}.warc.gz").open("rb") as stream:
        info = next(iter(ArchiveIterator(stream)))
        fields = info.content_stream().read().decode()
    assert info.rec_type == "warcinfo" and f"isPartOf: {site}" in fields
