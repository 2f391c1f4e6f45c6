"""The domain stays plain Python: importing it must not pull in Azure, HTTP or SDK packages."""

import argparse
import subprocess
import sys

FORBIDDEN = ("azure", "msal", "msgraph", "kiota", "httpx", "requests", "pandas", "starlette", "uvicorn")


def test_domain_imports_no_sdk() -> None:
    code = (
        "import importlib, pkgutil, sys, teams_sip.domain as d\n"
        "for m in pkgutil.walk_packages(d.__path__, 'teams_sip.domain.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = {name.split(".")[0] for name in out.split()}
    assert not loaded & set(FORBIDDEN), f"domain imported {sorted(loaded & set(FORBIDDEN))}"


def test_every_command_has_help() -> None:
    from teams_sip.entrypoints.cli import build_parser

    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for sub in actions:
        for name, subparser in sub.choices.items():
            assert subparser.description or subparser.format_help(), name
            assert "usage:" in subparser.format_help()
