import base64
import json

import azure.functions as func
import pytest

from teams_sip.entrypoints.functions.http import (
    HttpError,
    caller_of,
    handler,
    read_json,
    read_upload,
    require_admin,
    safe_filename,
)
from teams_sip.errors import InputError


def _req(body: bytes = b"", headers: dict[str, str] | None = None, params: dict[str, str] | None = None):
    return func.HttpRequest("POST", "http://localhost/api/x", headers=headers or {}, params=params or {}, body=body)


def test_handler_maps_errors_to_json_bodies_with_request_id() -> None:
    @handler
    def bad(req: func.HttpRequest) -> func.HttpResponse:
        raise InputError("the file has no UPN column")

    @handler
    def boom(req: func.HttpRequest) -> func.HttpResponse:
        raise RuntimeError("token eyJsecret leaked?")

    response = bad(_req(headers={"x-request-id": "r-1"}))
    assert response.status_code == 400
    assert json.loads(response.get_body()) == {
        "error": {"code": "inputError", "message": "the file has no UPN column", "requestId": "r-1"}
    }
    crashed = boom(_req())
    assert crashed.status_code == 500 and b"eyJsecret" not in crashed.get_body()
    assert json.loads(crashed.get_body())["error"]["requestId"] == crashed.headers["x-request-id"]


def test_read_json_checks_type_and_syntax() -> None:
    with pytest.raises(HttpError) as wrong_type:
        read_json(_req(b"{}", {"content-type": "text/plain"}))
    assert wrong_type.value.status == 415
    with pytest.raises(HttpError) as bad:
        read_json(_req(b"{nope", {"content-type": "application/json"}))
    assert bad.value.status == 400
    with pytest.raises(HttpError):
        read_json(_req(b"[1]", {"content-type": "application/json"}))
    assert read_json(_req(b'{"a": 1}', {"content-type": "application/json"})) == {"a": 1}


def test_read_upload_multipart_raw_and_caps() -> None:
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../h.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\nx,y\r\n--b--\r\n")
    up = read_upload(_req(body, {"content-type": "multipart/form-data; boundary=b"}), 1000)
    assert (up.filename, up.content_type, up.data) == ("h.csv", "text/csv", b"x,y")
    raw = read_upload(_req(b"abc", {"content-type": "text/csv"}, {"filename": "C:\\x\\r.csv"}), 1000)
    assert (raw.filename, raw.data) == ("r.csv", b"abc")
    with pytest.raises(HttpError) as big:
        read_upload(_req(b"x" * 11, {"content-type": "text/csv"}), 10)
    assert big.value.status == 413
    with pytest.raises(HttpError):
        read_upload(_req(b"", {"content-type": "text/csv"}), 10)


@pytest.mark.parametrize(("name", "safe"), [("../../etc/passwd", "passwd"), ("..", "upload"),
                                            ("a b<c>.xlsx", "a b_c_.xlsx"), ("", "upload")])
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_caller_from_app_service_principal_and_admin_group() -> None:
    principal = {"claims": [{"typ": "preferred_username", "val": "admin@contoso.com"},
                            {"typ": "groups", "val": "g-admins"}]}
    encoded = base64.b64encode(json.dumps(principal).encode()).decode()
    caller = caller_of(_req(headers={"x-ms-client-principal": encoded}), trust_platform=True)
    assert caller.name == "admin@contoso.com" and caller.authenticated
    require_admin(caller, "g-admins")
    with pytest.raises(HttpError) as denied:
        require_admin(caller, "other")
    assert denied.value.status == 403
    assert caller_of(_req(headers={"x-functions-key": "k"})).name == "function-key"
    with pytest.raises(HttpError):
        caller_of(_req(headers={"x-ms-client-principal": "%%%"}), trust_platform=True)


def test_json_bodies_are_capped_in_size_and_depth_with_a_clear_answer() -> None:
    """Issue 24 item 5: a 5,000-level body was a 500 with a traceback; now a 400, and a huge one a 413."""
    headers = {"content-type": "application/json"}
    with pytest.raises(HttpError) as deep:
        read_json(_req(b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", headers))
    assert deep.value.status == 400 and "nested" in str(deep.value)
    with pytest.raises(HttpError) as nested:
        read_json(_req(b'{"a": ' + b"[" * 30 + b"]" * 30 + b"}", headers))
    assert nested.value.status == 400
    with pytest.raises(HttpError) as large:
        read_json(_req(json.dumps({"pad": "x" * 1_100_000}).encode(), headers))
    assert large.value.status == 413
    assert read_json(_req(b'{"a": [[1]], "b": {"c": {}}}', headers)) == {"a": [[1]], "b": {"c": {}}}


def test_an_unreadable_content_length_is_refused_not_a_crash() -> None:
    with pytest.raises(HttpError) as refused:
        read_upload(_req(b"x", {"content-type": "text/csv", "content-length": "lots"}), 10)
    assert refused.value.status == 413
