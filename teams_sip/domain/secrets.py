"""Secrets (verification codes, tokens, client secrets) wrapped so that printing, logging or
formatting an exception never shows them; only `reveal()` does, at the one place that must."""

from __future__ import annotations

import hashlib
import hmac


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def fingerprint(self, key: bytes) -> str:
        """A tag to store or compare instead of the value: HMAC-SHA-256 (hex) under `key`, a secret kept
        outside the store. A plain hash of a short code is the code: a copied store would give every
        8-digit code back by trying them all; without the key nothing can be tried."""
        if not key:
            raise ValueError("a fingerprint needs a non-empty key")
        return hmac.new(key, self._value.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)
