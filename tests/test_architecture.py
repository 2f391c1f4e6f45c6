"""The layers keep to their places: the domain is plain Python (no Azure, HTTP or SDK packages), the
service layer sees only its ports, and only the composition root builds adapters."""

import argparse
import ast
import subprocess
import sys
from pathlib import Path

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


# --- the service sees only ports ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SERVICE_FORBIDDEN = ("teams_sip.adapters", "teams_sip.bootstrap", "teams_sip.entrypoints", "teams_sip.simulator",
                     "msgraph", "msgraph_beta", "msal", "azure", "kiota_abstractions", "kiota_http",
                     "kiota_authentication_azure", "kiota_serialization_json", "httpx", "requests",
                     "starlette", "uvicorn")
"""What teams_sip/service must not import, at module level or lazily inside a function."""


def imported_names(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import in `source`, wherever it stands (functions, TYPE_CHECKING
    blocks, `importlib.import_module("...")` and `__import__("...")` with a literal name)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module")))):
            found.append((node.lineno, node.args[0].value))
    return found


def _forbidden(module: str, banned: tuple[str, ...]) -> bool:
    return any(module == b or module.startswith(b + ".") or (b.startswith("kiota") and module.startswith("kiota"))
               for b in banned)


def violations(folder: Path, banned: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        for line, module in imported_names(path.read_text(encoding="utf-8")):
            if _forbidden(module, banned):
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return out


def test_the_scan_sees_lazy_and_type_only_imports() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from teams_sip.adapters.graph import x\n"
              "def f():\n    import httpx\n    from kiota_http import y\n    importlib.import_module('msal')\n")
    banned = [m for _line, m in imported_names(source) if _forbidden(m, SERVICE_FORBIDDEN)]
    assert banned == ["teams_sip.adapters.graph", "httpx", "kiota_http", "msal"]


def test_the_service_layer_imports_only_ports() -> None:
    found = violations(ROOT / "teams_sip" / "service", SERVICE_FORBIDDEN)
    assert not found, "the service layer reaches past its ports:\n" + "\n".join(found)


def test_only_the_composition_root_builds_adapters() -> None:
    """Entrypoints, the demo and everything else outside adapters/ and the simulator get their
    adapters from teams_sip/bootstrap.py."""
    found = []
    for path in sorted((ROOT / "teams_sip").rglob("*.py")):
        part = path.relative_to(ROOT / "teams_sip").parts
        if part[0] in ("adapters", "simulator") or part == ("bootstrap.py",):
            continue
        found += [f"{path.relative_to(ROOT)}:{line} imports {m}"
                  for line, m in imported_names(path.read_text(encoding="utf-8"))
                  if _forbidden(m, ("teams_sip.adapters",))]
    assert not found, "adapters built outside the composition root:\n" + "\n".join(found)


# --- a self-contained project ------------------------------------------------------------------------

OUTSIDE = ("REFERENCE" + ".md", "../" + "shared", "/work/" + "shared")
"""Paths outside the repository that no tracked file may cite (spelled in parts, so this file does not)."""


def test_no_tracked_file_cites_a_path_outside_the_repository() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, listed.decode().split("\0")):
        path = ROOT / name
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{name} cites {needle}" for needle in OUTSIDE if needle in text]
    assert not found, "facts must live in the repository (docs/microsoft.md):\n" + "\n".join(found)


def test_the_readme_reproduce_command_runs_every_folder_it_names() -> None:
    """A marker filter once made the README's reliability command skip a whole folder silently."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.split("`")[1] for line in readme.splitlines() if line.startswith("Reproduce: `")]
    assert commands, "README has no Reproduce: command"
    for command in commands:
        args = command.split()[1:]
        folders = [a for a in args if a.startswith("tests/")]
        out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
                             cwd=ROOT, capture_output=True, text=True, check=False).stdout
        collected = [line for line in out.splitlines() if "::" in line]
        for folder in folders:
            assert any(line.startswith(folder) for line in collected), f"`{command}` runs nothing in {folder}"
