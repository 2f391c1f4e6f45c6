"""Azure Functions blueprints; `function_app.py` registers every one listed in BLUEPRINTS."""

from __future__ import annotations

import azure.functions as func

from teams_sip.entrypoints.functions.health import bp as health_bp

BLUEPRINTS: tuple[func.Blueprint, ...] = (health_bp,)
