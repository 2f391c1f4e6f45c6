import hashlib
import stat
from pathlib import Path

import pytest

from teams_sip.adapters.fingerprint_key import load_fingerprint_key
from teams_sip.config import settings_from_values
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError

KEY = b"a-test-fingerprint-key"
TENANT = {"TENANT_ID": "11111111-2222-3333-4444-555555555555", "AUTH_MODE": "managed_identity"}


def test_secret_never_shows_in_text() -> None:
    code = Secret("123456")
    assert "123456" not in repr(code)
    assert "123456" not in str(code)
    assert "123456" not in f"{code}"
    assert "123456" not in str(ValueError(code))
    assert code.reveal() == "123456"


def test_fingerprint_is_stable_and_hides_value() -> None:
    assert Secret("123456").fingerprint(KEY) == Secret("123456").fingerprint(KEY)
    assert "123456" not in Secret("123456").fingerprint(KEY)
    assert Secret("1").fingerprint(KEY) != Secret("2").fingerprint(KEY)


def test_a_fingerprint_cannot_be_reproduced_without_its_key() -> None:
    """A copied store holds fingerprints only: trying every 8-digit code against an unkeyed hash (what
    a plain SHA-256 allowed) finds nothing, and another key gives other fingerprints."""
    stored = Secret("12345678").fingerprint(KEY)
    assert stored != hashlib.sha256(b"12345678").hexdigest()
    assert stored != Secret("12345678").fingerprint(b"another-key-entirely")
    with pytest.raises(ValueError):
        Secret("12345678").fingerprint(b"")


def test_the_key_file_is_made_once_with_mode_600_outside_the_store(tmp_path: Path) -> None:
    settings = settings_from_values(TENANT | {"OUTPUT_DIR": str(tmp_path / "out")})
    first = load_fingerprint_key(settings)
    (key_file,) = (tmp_path / "out").iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_fingerprint_key(settings) == first and len(first) >= 32
    other = settings_from_values(TENANT | {"OUTPUT_DIR": str(tmp_path / "elsewhere")})
    assert load_fingerprint_key(other) != first


def test_a_configured_key_wins_and_an_unresolved_key_vault_reference_is_refused(tmp_path: Path) -> None:
    base = TENANT | {"OUTPUT_DIR": str(tmp_path)}
    assert load_fingerprint_key(settings_from_values(base | {"CODE_FINGERPRINT_KEY": "x" * 32})) == b"x" * 32
    reference = "@Microsoft.KeyVault(VaultName=kv;SecretName=teams-sip-code-fingerprint-key)"
    with pytest.raises(ConfigError, match="did not resolve"):
        load_fingerprint_key(settings_from_values(base | {"CODE_FINGERPRINT_KEY": reference}))
    assert not list(tmp_path.iterdir())
