"""Stored verdicts: what a pass keeps in memory after saving equals what the table then holds."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.domain.eligibility import CheckResult, Outcome, UserVerdict, Verdict
from teams_sip.service.verdict_store import VerdictStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _verdict(upn: str, verdict: Verdict, kind: str = "personal") -> UserVerdict:
    checks = () if verdict is Verdict.ELIGIBLE else (
        CheckResult("user.licence", Outcome.FAIL, f"{upn} has no Teams Phone licence", "Assign Teams Phone."),)
    return UserVerdict(upn, kind, verdict, checks)


def test_saving_brings_the_known_verdicts_up_to_date_like_a_fresh_read(tmp_path: Path) -> None:
    verdicts = VerdictStore(SqliteStateStore(tmp_path / "v.sqlite3"))
    verdicts.save([_verdict("Anna@Contoso.com", Verdict.BLOCKED), _verdict("ben@contoso.com", Verdict.ELIGIBLE)], T0)
    known = verdicts.all()
    later = T0 + timedelta(days=1)
    saved = verdicts.save([_verdict("anna@contoso.com", Verdict.ELIGIBLE),
                           _verdict("cleo@contoso.com", Verdict.BLOCKED, "common-area")], later, known)
    assert saved == 2
    assert known == verdicts.all()
    assert known["anna@contoso.com"].verdict.value == "eligible" and known["anna@contoso.com"].checked_at == later
    assert known["ben@contoso.com"].checked_at == T0
    assert known["cleo@contoso.com"].account_kind == "common-area" and "licence" in known["cleo@contoso.com"].reason
