"""Azure Functions blueprints; `function_app.py` registers every one listed in BLUEPRINTS.

Routes are explicit (`api/...`) because host.json's routePrefix is empty, so the admin page can live
at `/`; the page's catch-all route is registered last so literal routes win in the local host too.
"""

from __future__ import annotations

import azure.functions as func

from teams_sip.entrypoints.functions.assisted import bp as assisted_bp
from teams_sip.entrypoints.functions.dashboard import bp as dashboard_bp
from teams_sip.entrypoints.functions.devices import bp as devices_bp
from teams_sip.entrypoints.functions.doctor import bp as doctor_bp
from teams_sip.entrypoints.functions.health import bp as health_bp
from teams_sip.entrypoints.functions.imports import bp as imports_bp
from teams_sip.entrypoints.functions.reconcile import bp as reconcile_bp
from teams_sip.entrypoints.functions.web import bp as web_bp
from teams_sip.entrypoints.functions.worksheets import bp as worksheets_bp

BLUEPRINTS: tuple[func.Blueprint, ...] = (health_bp, imports_bp, devices_bp, dashboard_bp, worksheets_bp,
                                          assisted_bp, reconcile_bp, doctor_bp, web_bp)
