"""Issue 24, item 16: PowerShell ends a single-quoted string at ' and at the typographic quotes
U+2018-U+201B too, so the fix-policies script doubles every one of them."""

from __future__ import annotations

import pytest

from teams_sip.domain.powershell import ps_literal
from teams_sip.service.remediation import FixPlan, PlannedChange


@pytest.mark.parametrize("quote", ["'", "\u2018", "\u2019", "\u201a", "\u201b"])
def test_every_single_quote_is_doubled(quote: str) -> None:
    assert ps_literal(f"o{quote}brien") == f"'o{quote}{quote}brien'"


def _inside_literal(text: str) -> str:
    """What PowerShell reads as the literal's value: doubled quotes collapse; a lone quote would end it."""
    assert text[0] == "'" and text[-1] == "'"
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        if body[i] in "'\u2018\u2019\u201a\u201b":
            assert i + 1 < len(body) and body[i + 1] in "'\u2018\u2019\u201a\u201b", f"literal ends early: {text}"
            i += 1
        out.append(body[i])
        i += 1
    return "".join(out)


def test_fix_policies_script_escapes_typographic_quotes_in_upns_and_policy_names() -> None:
    upn, policy = "o\u2019brien@contoso.com", "SIP \u2018devices\u2019; Remove-CsTenant"
    plan = FixPlan(policy, (PlannedChange(upn, "id-1", "policy", "assign"),), ())
    [line] = [ln for ln in plan.powershell().splitlines() if ln.startswith("Grant-")]
    identity, name = line.removeprefix("Grant-CsTeamsCallingPolicy -Identity ").split(" -PolicyName ")
    assert _inside_literal(identity) == upn and _inside_literal(name) == policy
