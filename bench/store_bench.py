"""State store benchmark (issue 5): write 100,000 device-like entities to SQLite and stream them back.

Writes go in atomic batches of 100 within a site partition (as the reconciliation executor will), plus
a sample of single inserts for the per-write cost; reads stream the whole table, one site, and a
filtered query. Peak memory while streaming is measured with tracemalloc (Python allocations) so a
store that loads every row at once shows up; ru_maxrss is the process peak. Exits 1 on a missed target.

    .venv/bin/python bench/store_bench.py [--devices 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.ports.store import WriteOp

SITES = 50
SINGLE_WRITES = 5_000
TARGET_WRITE_S, TARGET_STREAM_S, TARGET_STREAM_PEAK_MB = 30.0, 10.0, 50.0


def device(i: int) -> dict[str, object]:
    ipei = f"0{(i * 7919) % 0xFFFFFFFFF:09X}"
    return {"ipei": ipei, "hardware_id": f"00{ipei}", "user": f"user{i}@contoso.example",
            "site": f"site{i % SITES:02}", "state": "ready" if i % 3 else "code_issued", "attempts": i % 4,
            "install_date": f"2025-03-{1 + i % 5:02}", "code_expires_at": None, "code_fingerprint": "0" * 64,
            "history": [{"at": "2025-03-01T07:00:00+00:00", "from": None, "to": "imported", "cause": "import"},
                        {"at": "2025-03-01T07:05:00+00:00", "from": "imported", "to": "ready", "cause": "eligible"}]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    total = parser.parse_args().devices
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        store = SqliteStateStore(path)
        by_site: dict[str, list[int]] = {}
        for i in range(total):
            by_site.setdefault(f"site{i % SITES:02}", []).append(i)
        started = time.perf_counter()
        for site, ids in by_site.items():
            for start in range(0, len(ids), 100):
                store.batch("devices", site, [WriteOp("insert", f"d{i:07}", device(i)) for i in ids[start:start + 100]])
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        for i in range(SINGLE_WRITES):
            store.insert("single", "site00", f"d{i:07}", device(i))
        single_ms = (time.perf_counter() - started) * 1000 / SINGLE_WRITES

        started = time.perf_counter()
        streamed = sum(1 for _ in store.query("devices"))
        stream_s = time.perf_counter() - started
        tracemalloc.start()
        assert sum(1 for _ in store.query("devices")) == streamed
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        started = time.perf_counter()
        one_site = sum(1 for _ in store.query("devices", "site07"))
        filtered = store.count("devices", where={"state": "code_issued"})
        query_ms = (time.perf_counter() - started) * 1000
        store.close()
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("no requests to Microsoft: the throttling bound (bench/bounds.py) does not apply")
    print(f"devices written        {total:>10,} in {write_s:6.2f} s ({total / write_s:,.0f}/s, batches of 100)")
    print(f"single inserts         {SINGLE_WRITES:>10,} at {single_ms:6.3f} ms each")
    print(f"streamed back          {streamed:>10,} in {stream_s:6.2f} s ({streamed / stream_s:,.0f}/s)")
    print(f"one site + filter count {one_site:>9,} + {filtered:,} in {query_ms:.0f} ms")
    print(f"peak Python memory while streaming {peak_mb:6.1f} MB; process peak (ru_maxrss) {rss_mb:6.1f} MB")
    print(f"database size          {size_mb:10.1f} MB")
    checks = [("write time", write_s <= TARGET_WRITE_S), ("stream time", stream_s <= TARGET_STREAM_S),
              ("stream memory", peak_mb <= TARGET_STREAM_PEAK_MB), ("count", streamed == total)]
    missed = [name for name, ok in checks if not ok]
    if missed:
        print(f"MISSED targets: {', '.join(missed)}")
        return 1
    print(f"targets met: write <= {TARGET_WRITE_S:.0f} s, stream <= {TARGET_STREAM_S:.0f} s, "
          f"stream peak <= {TARGET_STREAM_PEAK_MB:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
