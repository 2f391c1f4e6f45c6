"""Entra side of the simulator: discovery, client secret and certificate grants, token checks."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import jwt

from teams_sip.simulator import SimulatedTenant
from tests.simulator.conftest import GRAPH, token


def test_discovery_points_at_the_token_endpoint_on_the_same_server(sim: SimulatedTenant, client: httpx.Client):
    doc = client.get(f"{sim.authority}/v2.0/.well-known/openid-configuration").json()
    assert doc["token_endpoint"] == f"{sim.authority}/oauth2/v2.0/token"
    keys = client.get(doc["jwks_uri"]).json()["keys"]
    assert keys[0]["kty"] == "RSA"


def test_tls_is_verified_against_the_generated_ca_only(sim: SimulatedTenant):
    try:
        httpx.get(f"{sim.base_url}/_sim/clock", verify=True)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the simulator's certificate must not be trusted by the system store")


def test_secret_grant_gives_a_token_with_audience_roles_and_expiry(sim: SimulatedTenant, client: httpx.Client):
    header = token(client, sim)
    claims = jwt.decode(header["Authorization"].split()[1], options={"verify_signature": False})
    assert claims["aud"] == "https://graph.microsoft.com"
    assert "User.Read.All" in claims["roles"]
    assert "TeamsDevice.ReadWrite.All" not in claims["roles"]  # that role belongs to the provisioning resource
    assert claims["exp"] - claims["iat"] == 3599


def test_wrong_secret_unknown_client_and_bad_scope_are_refused(sim: SimulatedTenant, client: httpx.Client):
    url = f"{sim.authority}/oauth2/v2.0/token"
    base = {"grant_type": "client_credentials", "client_id": sim.client_id, "scope": GRAPH}
    wrong = client.post(url, data=base | {"client_secret": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert "nope" not in wrong.text
    unknown = client.post(url, data=base | {"client_id": str(uuid.uuid4()), "client_secret": sim.client_secret})
    assert unknown.json()["error"] == "unauthorized_client"
    scope = client.post(url, data=base | {"client_secret": sim.client_secret, "scope": "User.Read"})
    assert scope.json()["error"] == "invalid_scope"


def _assertion(sim: SimulatedTenant, key_path: str, audience: str | None = None) -> str:
    import base64

    now = int(time.time())
    claims = {
        "aud": audience or f"{sim.authority}/oauth2/v2.0/token",
        "iss": sim.client_id,
        "sub": sim.client_id,
        "jti": str(uuid.uuid4()),
        "nbf": now,
        "exp": now + 600,
    }
    x5t = base64.urlsafe_b64encode(bytes.fromhex(sim.cert_thumbprint)).decode().rstrip("=")
    return jwt.encode(claims, Path(key_path).read_bytes(), algorithm="RS256", headers={"x5t": x5t})


def test_certificate_assertion_is_accepted_and_its_signature_checked(sim: SimulatedTenant, client: httpx.Client):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    url = f"{sim.authority}/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": sim.client_id,
        "scope": GRAPH,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    good = client.post(url, data=form | {"client_assertion": _assertion(sim, sim.key_pem_path)})
    assert good.status_code == 200, good.text
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = Path(sim.key_pem_path).with_name("other.pem")
    other_pem.write_bytes(
        other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    forged = client.post(url, data=form | {"client_assertion": _assertion(sim, str(other_pem))})
    assert forged.status_code == 401 and "signature" in forged.json()["error_description"]
    wrong_aud = client.post(url, data=form | {"client_assertion": _assertion(sim, sim.key_pem_path, "https://x/y")})
    assert wrong_aud.status_code == 401


def test_api_calls_need_a_valid_unexpired_token_for_their_audience(sim: SimulatedTenant, client: httpx.Client):
    users = f"{sim.graph_url}/users"
    assert client.get(users).status_code == 401
    bad = client.get(users, headers={"Authorization": "Bearer not.a.jwt"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "InvalidAuthenticationToken"
    provisioning = token(client, sim, "https://devicemgmt.teams.microsoft.com/.default")
    assert client.get(users, headers=provisioning).status_code == 401  # wrong audience
    graph = token(client, sim)
    assert client.get(users, headers=graph).status_code == 200
    sim.clock.advance(timedelta(hours=1))
    expired = client.get(users, headers=graph)
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    assert client.get(users, headers=token(client, sim)).status_code == 200


def test_missing_permission_is_a_graph_style_403(sim: SimulatedTenant, client: httpx.Client):
    sim.set_app_roles(["User.Read.All"])
    try:
        limited = token(client, sim)
        r = client.get(f"{sim.graph_url}/admin/teams/userConfigurations", headers=limited)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "Authorization_RequestDenied"
        assert client.get(f"{sim.graph_url}/users", headers=limited).status_code == 200
    finally:
        from teams_sip.simulator.catalog import ALL_ROLES

        sim.set_app_roles(list(ALL_ROLES))
