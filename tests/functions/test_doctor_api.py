"""`GET api/doctor`: the doctor's report for the admin page, admins only, JSON or markdown."""

from __future__ import annotations

from pathlib import Path

from tests.functions.support import body_of, call, signed_in, world


def test_doctor_answers_the_report_as_json_and_markdown(tmp_path: Path) -> None:
    with world(tmp_path, mode="assisted") as w:
        w.sim.reset_stats()
        report = body_of(call("doctor", path="/api/doctor"))
        assert report["summary"]["verdicts"]["confirmed"] >= 10
        assert {f["probe"] for f in report["findings"]} >= {"signIn.graph", "teamwork.answers"}
        assert all(name.startswith("GET") for name in w.sim.stats()["requests"])
        markdown = call("doctor", path="/api/doctor", params={"format": "markdown"})
        assert markdown.mimetype == "text/markdown" and b"# teams-sip doctor report" in markdown.get_body()


def test_doctor_is_for_admins_only(tmp_path: Path) -> None:
    with world(tmp_path, mode="assisted", extra={"ADMIN_GROUP_ID": "5f2b6c1e-0000-4000-8000-000000000001"}):
        refused = call("doctor", path="/api/doctor", headers=signed_in("someone@contoso.com"))
        assert refused.status_code == 403
