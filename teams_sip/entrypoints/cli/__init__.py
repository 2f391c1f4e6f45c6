"""The `teams-sip` command line: one sub-command per module listed in COMMAND_MODULES.

Each module defines `register(subparsers)`, which adds its parser and sets `handler` to a
function taking the parsed namespace and returning the exit code. Keeping the list explicit
means `--help` never depends on import side effects.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "identify",
    "validate",
    "import_roster",
    "site_sheet",
    "check",
    "fix_policies",
    "simulator",
    "run",
    "serve",
    "inventory",

    "lease",
    "doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="teams-sip",
        description="Onboard DECT handsets and SIP phones onto Microsoft Teams through the SIP Gateway.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"teams_sip.entrypoints.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    result: int = handler(args)
    return result
