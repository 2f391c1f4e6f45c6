"""Common-area accounts in assisted mode: batches written as files, window edges, batch limits,
result files dropped or uploaded, and a lost result file that keeps its batch in flight."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from teams_sip.domain.clock import ManualClock
from teams_sip.domain.sites import Region
from teams_sip.errors import InputError
from teams_sip.service.signin_records import SignInBook

from .support import START, Bench, activated, hw_id


def cap(bench: Bench, n: int = 1, site: str = "Berlin", region: Region | None = Region.EMEA, **kw: object) -> list[str]:
    ids = []
    for _ in range(n):
        hw = hw_id()
        bench.add(activated(hw, f"cap.{hw.lower()}@contoso.example", START, common_area=True, site=site,
                            region=region, **kw))  # type: ignore[arg-type]
        ids.append(hw)
    return ids


def refs(bench: Bench) -> list[str]:
    return sorted({p.split("/")[1] for p in bench.files()})


def result_file(bench: Bench, ref: str, rows: list[tuple[str, str, str]], with_reference: bool = True) -> bytes:
    """What the generated script writes: one row per device (username from the batch's CSV)."""
    batch = SignInBook(bench.store).get_batch(ref)
    assert batch is not None
    users = {i.hardware_id: i.username for i in batch.items}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Reference", "BatchId", "Region", "UserName", "HardwareId", "Status", "Error"])
    for hw, status, error in rows:
        dashed = "-".join(hw[i : i + 2] for i in range(0, 12, 2))
        writer.writerow([ref if with_reference else "", "b-1", "EMEA", users[hw], dashed, status, error])
    return out.getvalue().encode()


def test_each_batch_is_written_as_csv_script_and_checklist(tmp_path: Path) -> None:
    bench = Bench(tmp_path, ManualClock(START))
    [hw] = cap(bench)
    summary = bench.stage.run()
    assert summary.batches_written == 1 and summary.batches_submitted == 0 and summary.batches_in_flight == 1
    [ref] = refs(bench)
    assert ref == "emea-20250303-0600-01"
    assert set(bench.files(f"signin/{ref}/")) == {f"signin/{ref}/{ref}.csv", f"signin/{ref}/{ref}.ps1",
                                                  f"signin/{ref}/checklist.txt"}
    rows = (bench.artifacts.get(f"signin/{ref}/{ref}.csv") or b"").decode().splitlines()
    dashed = "-".join(hw[i : i + 2] for i in range(0, 12, 2))
    assert rows == ["Username,HardwareId", f"cap.{hw.lower()}@contoso.example,{dashed}"]
    script = (bench.artifacts.get(f"signin/{ref}/{ref}.ps1") or b"").decode()
    assert "New-CsSdgBulkSignInRequest" in script and "-Region EMEA" in script and "Trusted" not in ref
    checklist = (bench.artifacts.get(f"signin/{ref}/checklist.txt") or b"").decode()
    assert "-BulkSignIn Enabled" in checklist and "trusted IPs" in checklist and "2025-03-06 06:00" in checklist
    assert bench.stage.run().batches_written == 0  # in flight: never written twice


def test_at_most_100_per_batch_and_3_in_flight_per_region(tmp_path: Path) -> None:
    bench = Bench(tmp_path, ManualClock(START))
    cap(bench, 350)
    cap(bench, 1, site="Tokyo", region=Region.APAC)
    summary = bench.stage.run()
    assert summary.batches_written == 4 and summary.deferred == 50
    sizes = {}
    for ref in refs(bench):
        batch = SignInBook(bench.store).get_batch(ref)
        assert batch is not None
        sizes[ref] = (batch.region, len(batch.items))
    assert sorted(sizes.values()) == [(Region.APAC, 1), (Region.EMEA, 100), (Region.EMEA, 100), (Region.EMEA, 100)]
    again = bench.stage.run()
    assert again.batches_written == 0 and again.deferred == 50


@pytest.mark.parametrize(("elapsed", "batched"), [(timedelta(hours=72), True), (timedelta(hours=72, seconds=1), False)])
def test_the_72_hour_window_edge(tmp_path: Path, elapsed: timedelta, batched: bool) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    [hw] = cap(bench)
    clock.advance(elapsed)
    summary = bench.stage.run()
    assert summary.batches_written == (1 if batched else 0)
    if not batched:
        assert summary.outcomes == {"new_onboarding": 1}
        assert summary.needs_person[0].hardware_id == hw and "factory reset" in summary.needs_person[0].reason
        assert bench.stage.run().needs_person == []  # told once


def test_the_168_hour_window_after_a_sign_out(tmp_path: Path) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    out = START + timedelta(hours=100)
    cap(bench, 1, signed_out_at=out)
    clock.set(out + timedelta(hours=168))
    assert bench.stage.run().batches_written == 1
    bench2 = Bench(tmp_path / "late", ManualClock(out + timedelta(hours=168, seconds=1)))
    cap(bench2, 1, signed_out_at=out)
    assert bench2.stage.run().outcomes == {"new_onboarding": 1}


def test_prerequisites_it_can_see_are_checked_before_batching(tmp_path: Path) -> None:
    bench = Bench(tmp_path, ManualClock(START))
    [oslo] = cap(bench, 1, site="Oslo")
    [nowhere] = cap(bench, 1, site="Atlantis", region=None)
    summary = bench.stage.run()
    assert summary.batches_written == 0
    reasons = {p.hardware_id: p.reason for p in summary.needs_person}
    assert "Oslo is not set up for bulk sign-in" in reasons[oslo] and "region" in reasons[nowhere]


def test_a_dropped_result_file_is_ingested_and_each_outcome_handled(tmp_path: Path) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    ok, offline, cap_missing, expired = cap(bench, 4)
    bench.stage.run()
    [ref] = refs(bench)
    data = result_file(bench, ref, [(ok, "Success", ""), (offline, "Failed", "Device is offline"),
                                    (cap_missing, "Failed", "User missing CAP policy assignment"),
                                    (expired, "Failed", "Bulk Sign-in deadline expired")])
    clock.advance(timedelta(hours=1))
    bench.artifacts.put(f"signin/{ref}/{ref}-result.csv", data, "text/csv")
    summary = bench.stage.run()
    assert summary.batches_completed == 1
    assert summary.outcomes == {"signed_in": 1, "retry": 1, "eligibility": 1, "new_onboarding": 1}
    people = {p.hardware_id: p.reason for p in summary.needs_person}
    assert set(people) == {cap_missing, expired} and "Grant-CsTeamsIPPhonePolicy" in people[cap_missing]
    assert summary.batches_written == 1  # the offline one is batched again at once
    [retry] = [r for r in refs(bench) if r != ref]
    batch = SignInBook(bench.store).get_batch(retry)
    assert batch is not None and [i.hardware_id for i in batch.items] == [offline]
    clock.advance(timedelta(hours=23))
    assert bench.stage.run().batches_written == 0  # the eligibility fix gets a day (policies take up to 24 h)
    clock.advance(timedelta(hours=1))
    assert bench.stage.run().batches_written == 1
    newest = max(refs(bench))
    again = SignInBook(bench.store).get_batch(newest)
    assert again is not None and [i.hardware_id for i in again.items] == [cap_missing]


def test_an_uploaded_result_file_is_applied_whole_or_refused(tmp_path: Path) -> None:
    bench = Bench(tmp_path, ManualClock(START))
    a, b = cap(bench, 2)
    bench.stage.run()
    [ref] = refs(bench)
    book = SignInBook(bench.store)
    with pytest.raises(InputError, match="result file refused"):
        bench.stage.ingest_result_file(b"\xff\xfe not csv")
    with pytest.raises(InputError, match="matches no batch"):
        bench.stage.ingest_result_file(result_file(bench, ref, [(a, "Success", "")]).replace(ref.encode(), b"x-1"))
    assert (book.get_batch(ref) or pytest.fail()).state == "written"
    summary = bench.stage.ingest_result_file(result_file(bench, ref, [(a, "Success", ""), (b, "Failed", "Weird")],
                                                         with_reference=False))
    assert summary.outcomes == {"signed_in": 1, "needs_admin": 1} and "Unrecognised" in summary.needs_person[0].reason
    assert (book.get_batch(ref) or pytest.fail()).state == "completed"
    assert "already ingested" in bench.stage.ingest_result_file(result_file(bench, ref, [(a, "Success", "")])).errors[0]


def test_a_lost_result_file_keeps_the_batch_in_flight_until_its_result_is_known(tmp_path: Path) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    [hw] = cap(bench)
    bench.stage.run()
    [ref] = refs(bench)
    clock.advance(timedelta(hours=23))
    assert bench.stage.run().needs_person == []
    clock.advance(timedelta(hours=1))
    summary = bench.stage.run()
    assert [p.hardware_id for p in summary.needs_person] == [hw]
    assert "upload its result file" in summary.needs_person[0].reason
    assert summary.batches_written == 0 and summary.batches_in_flight == 1
    clock.advance(timedelta(hours=30))  # past its window too: still not batched again, still not re-reported
    later = bench.stage.run()
    assert later.batches_written == 0 and later.needs_person == [] and refs(bench) == [ref]
    bench.artifacts.put(f"signin/{ref}/{ref}-result.csv", result_file(bench, ref, [(hw, "Success", "")]), "text/csv")
    assert bench.stage.run().outcomes == {"signed_in": 1}
