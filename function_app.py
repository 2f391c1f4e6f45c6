"""Azure Functions entry point (Python v2 model): registers the blueprints and nothing else.

Importing this module must do no I/O: a cold start imports it.
"""

import azure.functions as func

from teams_sip.entrypoints.functions import BLUEPRINTS

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in BLUEPRINTS:
    app.register_functions(blueprint)
