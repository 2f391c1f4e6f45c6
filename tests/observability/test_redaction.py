import logging

import pytest

from teams_sip.domain.secrets import Secret
from teams_sip.observability import RedactingFilter, redact, request_id


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("dial *55*482913 now", "482913"),
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.sig_part", "eyJhbGciOiJSUzI1NiJ9"),
        ('{"code": "123456", "hardwareId": "0003717C0E0A"}', "123456"),
        ("client_secret=s3cr3t&grant_type=client_credentials", "s3cr3t"),
    ],
)
def test_redact_masks_secrets(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_keeps_ordinary_text() -> None:
    text = "registered 0003717C0E0A for alice@contoso.com at Berlin HQ"
    assert redact(text) == text


def test_filter_masks_formatted_messages_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("teams_sip.test")
    caplog.handler.addFilter(RedactingFilter())
    token = request_id.set("req-42")
    try:
        logger.warning("issued %s for %s", "*55*778899", "0003717C0E0A")
        try:
            raise RuntimeError("token rejected: Bearer zzz.yyy")
        except RuntimeError:
            logger.exception("call failed")
        logger.warning("secret object %s", Secret("hunter2"))
    finally:
        request_id.reset(token)
    text = caplog.text
    assert "778899" not in text and "zzz.yyy" not in text and "hunter2" not in text
    assert "0003717C0E0A" in text
    assert all(getattr(r, "request_id", None) == "req-42" for r in caplog.records)
