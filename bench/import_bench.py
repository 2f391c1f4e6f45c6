"""Import benchmark: a generated 50,000-row XLSX, our path vs the plain path, in the same run.

Ours: python-calamine through pandas, rows taken as one array, validated by the domain.
Plain: pandas' default XLSX engine (openpyxl) plus a per-row `iterrows()` loop feeding the same
validation. Each path runs in its own subprocess so peak memory (ru_maxrss) is its own.
Targets (issue 2): ours <= 3 s wall and < 600 MB peak, and >= 3x faster than plain.

    .venv/bin/python bench/import_bench.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

from teams_sip.domain.identifiers import DeviceIdentity

HEADER = ["Handset IPEI", "MAC address", "UPN", "Display name", "Site", "Install date", "Region", "Account type"]
SITES = [("Stockholm HQ", "EMEA"), ("Lyon Plant", "EMEA"), ("Chicago Office", "NOAM"), ("Singapore", "APAC")]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Mixed forms: hex IPEIs (any case), decimal with spaces, numbers that lost zeros, MACs in three
    notations, real Excel dates and day-first text dates, and a sprinkling of broken rows."""
    rnd = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Handsets")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for r in range(1, rows + 1):
        ident = DeviceIdentity.from_ipei(rnd.randrange(1, 65536), r * 17 % 1_048_576)
        form = r % 8
        ipei: str | int | None = None
        mac = None
        if form == 0:
            ipei = ident.ipei_hex
        elif form == 1:
            ipei = (ident.ipei_hex or "").lower()
        elif form == 2:
            ipei = ident.ipei_spaced
        elif form == 3:
            ipei = int(ident.ipei_decimal or "0") if (ident.ipei_decimal or "*").isdigit() else ident.ipei_decimal
        elif form == 4:
            ipei = "0x" + (ident.ipei_hex or "")
        else:
            octets = [f"{o:02X}" for o in (0x00, 0x04, 0xF2, (r >> 16) & 0xFF, (r >> 8) & 0xFF, r & 0xFF)]
            pairs = ["".join(octets[i : i + 2]) for i in (0, 2, 4)]
            mac = [":".join(octets), "-".join(octets), ".".join(pairs)][form - 5]
        site, region = SITES[r % len(SITES)]
        upn = f"user{r}@contoso.com" if r % 97 else f"user {r} at contoso"
        sheet.write_row(r, 0, [ipei, mac, upn, f"User {r}", site])
        day = dt.date(2026, 3, 1) + dt.timedelta(days=r % 28)
        if r % 3:
            sheet.write_datetime(r, 5, dt.datetime(day.year, day.month, day.day), date_format)
        else:
            sheet.write_string(r, 5, day.strftime("%d/%m/%Y"))
        sheet.write_row(r, 6, [region, "common-area" if r % 50 == 0 else "personal"])
    book.close()


def run_ours(path: Path) -> dict[str, float]:
    from teams_sip.importing.roster_file import load_roster

    data = path.read_bytes()
    start = time.perf_counter()
    result = load_roster(data, path.name)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": result.summary["rows"], "accepted": result.summary["accepted"]}


def run_plain(path: Path) -> dict[str, float]:
    import pandas as pd

    from teams_sip.domain.roster import Field, FileInfo, build_result
    from teams_sip.importing.columns import match_header

    start = time.perf_counter()
    frame = pd.read_excel(path, dtype=str, keep_default_na=False)  # default engine: openpyxl
    match = match_header([str(c) for c in frame.columns])
    rows = []
    for index, series in frame.iterrows():
        rows.append((int(index) + 2, [str(series.iloc[p]) for p in match.positions]))
    columns: tuple[tuple[Field, str], ...] = match.columns
    result = build_result(FileInfo(path.name, "xlsx", columns), columns, rows)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": result.summary["rows"], "accepted": result.summary["accepted"]}


def child(which: str, path: Path) -> None:
    figures = run_ours(path) if which == "ours" else run_plain(path)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", which, str(path)],
                         capture_output=True, text=True, check=True).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "handsets-bench.xlsx"
        start = time.perf_counter()
        generate(path, args.rows)
        size = path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows, {size:.1f} MB in {time.perf_counter() - start:.1f} s")
        ours = measure("ours", path)
        plain = measure("plain", path)
    assert ours["rows"] == plain["rows"] and ours["accepted"] == plain["accepted"], (ours, plain)
    ratio = plain["seconds"] / ours["seconds"]
    print(f"ours  (calamine + array rows): {ours['seconds']:.2f} s wall, peak {ours['peak_mb']:.0f} MB, "
          f"{ours['accepted']:.0f}/{ours['rows']:.0f} accepted")
    print(f"plain (openpyxl + iterrows):   {plain['seconds']:.2f} s wall, peak {plain['peak_mb']:.0f} MB")
    print("no requests to Microsoft: the throttling bound (bench/bounds.py) does not apply")
    print(f"ratio: {ratio:.1f}x faster")
    ok = ours["seconds"] <= 3.0 and ours["peak_mb"] < 600 and ratio >= 3.0
    print("targets (<= 3 s, < 600 MB, >= 3x):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
