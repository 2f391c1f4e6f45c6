"""msgraph-sdk loads ~1,300 modules: the CLI and the adapters' modules must not pull it in on import."""

import subprocess
import sys


def test_cli_and_adapter_modules_do_not_import_msgraph() -> None:
    code = (
        "import sys\n"
        "import teams_sip.entrypoints.cli, teams_sip.config, teams_sip.adapters.auth\n"
        "import teams_sip.adapters.graph.client, teams_sip.adapters.graph.blocking\n"
        "import teams_sip.adapters.provisioning.api_client\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.split())
    assert not loaded & {"msgraph", "msgraph_core", "kiota_http", "msal", "azure"}
