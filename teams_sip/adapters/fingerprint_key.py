"""Where the key of code fingerprints comes from: never the state store, so a copied store cannot be
brute-forced back to its codes (domain/secrets.py). In Azure, CODE_FINGERPRINT_KEY (a Key Vault
reference); locally a key file, created with mode 600 on first use in OUTPUT_DIR (never inside the
SQLite file or Table Storage), or wherever CODE_FINGERPRINT_KEY_FILE says.

Fingerprints are only ever written (a record's latest code), never looked up, so a new key, or the
key replacing the old unkeyed SHA-256, needs no migration: a record gets a keyed fingerprint with its
next code, and an old fingerprint matches nothing."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from teams_sip.config import Settings
from teams_sip.errors import ConfigError

KEY_FILE_NAME = ".code-fingerprint.key"
MIN_KEY_CHARS = 16
_UNRESOLVED_REFERENCE = "@Microsoft.KeyVault("


def load_fingerprint_key(settings: Settings) -> bytes:
    configured = settings.rollout.code_fingerprint_key
    if configured is not None:
        text = configured.reveal().strip()
        if text.startswith(_UNRESOLVED_REFERENCE):
            raise ConfigError("CODE_FINGERPRINT_KEY is a Key Vault reference the platform did not resolve: check "
                              "that the secret exists and the app's identity may read it.")
        if len(text) < MIN_KEY_CHARS:
            raise ConfigError(f"CODE_FINGERPRINT_KEY must be at least {MIN_KEY_CHARS} characters of random text.")
        return text.encode("utf-8")
    return _key_file(key_file_path(settings))


def key_file_path(settings: Settings) -> Path:
    if settings.rollout.code_fingerprint_key_file is not None:
        return settings.rollout.code_fingerprint_key_file
    return settings.rollout.output_dir / KEY_FILE_NAME


def _key_file(path: Path) -> bytes:
    """Read the key file, creating it (32 random bytes, hex, mode 600) when it does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # written aside, then linked in: a reader never sees a half-written key
        spare = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(spare, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            spare.unlink()
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"the code fingerprint key file {path} cannot be read: {exc.strerror}") from None
    if len(text) < MIN_KEY_CHARS:
        raise ConfigError(f"the code fingerprint key file {path} holds no usable key; delete it to make a new one")
    return text.encode("utf-8")
