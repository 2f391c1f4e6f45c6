"""Suite-wide hooks: the Graph contract (tests/contract/plugin.py) judges every Graph answer the
simulated tenants give during the run by msgraph-sdk's generated models."""

from __future__ import annotations

from tests.contract.plugin import pytest_addoption, pytest_configure

__all__ = ["pytest_addoption", "pytest_configure"]
