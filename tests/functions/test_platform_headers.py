"""Issue 24 item 7: the `x-ms-client-principal*` headers are set by App Service authentication, and
anyone can send them where it is off (`teams-sip serve`, an app deployed without it). They are read
only when TRUST_PLATFORM_AUTH_HEADERS says the platform sets them; otherwise a forged principal
neither passes the admin-group check nor names the actor in the audit log."""

from __future__ import annotations

from pathlib import Path

from tests.functions.support import body_of, call, signed_in, snapshot, upload, world

GROUP = "11111111-2222-3333-4444-555555555555"


def test_forged_principal_headers_are_ignored_without_the_setting(tmp_path: Path) -> None:
    forged = signed_in("mallory@contoso.com", (GROUP,))
    with world(tmp_path, extra={"ADMIN_GROUP_ID": GROUP}) as w:
        denied = upload(headers=forged)
        assert denied.status_code == 403 and snapshot(w)["imports"] == []
        assert "TRUST_PLATFORM_AUTH_HEADERS" in body_of(denied)["error"]["message"]
        assert call("summary", headers=forged).status_code == 403


def test_the_audit_actor_is_never_an_untrusted_header(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        assert upload(headers={**signed_in("mallory@contoso.com"), "x-ms-client-principal-name": "ceo@contoso.com",
                               "x-functions-key": "the-key"}).status_code == 202
        (entry,) = [e for e in snapshot(w)["audit"] if e.action == "import"]
        assert entry.actor == "function-key"


def test_trusted_platform_headers_pass_the_group_check_and_name_the_actor(tmp_path: Path) -> None:
    with world(tmp_path, extra={"ADMIN_GROUP_ID": GROUP, "TRUST_PLATFORM_AUTH_HEADERS": "true"}) as w:
        assert upload(headers=signed_in("someone@contoso.com")).status_code == 403
        assert upload(headers=signed_in("admin@contoso.com", (GROUP,))).status_code == 202
        (entry,) = [e for e in snapshot(w)["audit"] if e.action == "import"]
        assert entry.actor == "admin@contoso.com"


def test_a_call_without_key_or_principal_is_logged_as_anonymous(tmp_path: Path) -> None:
    """Item 17: with no key and no (trusted) principal the actor is not "function-key"."""
    with world(tmp_path) as w:
        assert upload().status_code == 202
        (entry,) = [e for e in snapshot(w)["audit"] if e.action == "import"]
        assert entry.actor == "anonymous"
