"""teams_sip/simulator/invented.py stays true: every entry says why, and the simulator's code uses
every entry (an entry nothing serves any more is stale; a literal served without an entry is what
the contract test in tests/contract and this list exist to catch)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import teams_sip.simulator

SIMULATOR = Path(teams_sip.simulator.__file__).parent
INVENTED = SIMULATOR / "invented.py"


def entries() -> dict[str, bool]:
    """Each module-level UPPER_CASE name -> whether a docstring follows it."""
    body = ast.parse(INVENTED.read_text(encoding="utf-8")).body
    found: dict[str, bool] = {}
    for node, after in zip(body, [*body[1:], None], strict=True):
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id.isupper():
            documented = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and \
                isinstance(after.value.value, str) and len(after.value.value) > 40
            found[target.id] = documented
    return found


BEHAVIOUR_MARK = re.compile(r"# invented\.([A-Z][A-Z0-9_]+)")
"""An entry that names a behaviour rather than a literal (how slots are held, what an envelope costs)
is used where the code that serves it carries this comment; a literal is used by importing it."""


def used_names() -> set[str]:
    names: set[str] = set()
    for path in SIMULATOR.glob("*.py"):
        if path == INVENTED:
            continue
        text = path.read_text(encoding="utf-8")
        names.update(BEHAVIOUR_MARK.findall(text))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "invented":
                names.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and node.module == "teams_sip.simulator.invented":
                names.update(alias.name for alias in node.names)
    return names | _through_functions(names)


def _through_functions(used: set[str]) -> set[str]:
    """Entries a used helper of invented.py reads (teamwork_unique_id reads its namespace)."""
    found: set[str] = set()
    for node in ast.parse(INVENTED.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name in used:
            found.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id.isupper())
    return found


def test_the_list_has_entries_and_each_says_why() -> None:
    found = entries()
    assert len(found) >= 10
    assert [name for name, documented in found.items() if not documented] == []


def test_every_entry_is_used_by_the_simulator() -> None:
    assert sorted(set(entries()) - used_names()) == []
