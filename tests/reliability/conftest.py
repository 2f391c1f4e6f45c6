"""Every reliability test is also a leak scan: its logs and artefacts hold no code, token or secret."""

from __future__ import annotations

import pytest

from tests.reliability.harness import logs_hold_no_secrets

__all__ = ["logs_hold_no_secrets"]


@pytest.fixture(autouse=True)
def _scan_for_leaks(logs_hold_no_secrets: None) -> None:
    """Pulls in the scan for every test in this folder."""
