"""The one Rollout per worker process, built on first use (a cold start imports the app and must do
no I/O), or installed by `teams-sip serve` and the tests with their own clock, store and tenant."""

from __future__ import annotations

import threading

import azure.functions as func

from teams_sip.entrypoints.functions.http import Caller, HttpError, caller_of, require_admin
from teams_sip.errors import ConfigError
from teams_sip.service.rollout import Rollout

_lock = threading.Lock()
_current: Rollout | None = None


def install(rollout: Rollout | None) -> None:
    """Use `rollout` for every function from now on (None: build from settings again on next use)."""
    global _current
    with _lock:
        _current = rollout


def rollout() -> Rollout:
    global _current
    with _lock:
        if _current is None:
            from teams_sip.bootstrap import build_wiring
            from teams_sip.config import load_settings

            try:
                _current = Rollout(build_wiring(load_settings()))
            except ConfigError as exc:
                raise HttpError(503, "notConfigured", f"the service is not configured: {exc}") from None
        return _current


def admin(req: func.HttpRequest) -> tuple[Rollout, Caller]:
    """The rollout and the caller, refused (403) when an admin group is configured and the caller is
    not in it: every API call, read or write, needs the same authorisation."""
    current = rollout()
    settings = current.ports.settings.rollout
    caller = caller_of(req, trust_platform=settings.trust_platform_auth_headers)
    require_admin(caller, settings.admin_group_id)
    return current, caller
