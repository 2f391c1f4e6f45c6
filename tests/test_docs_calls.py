"""docs/microsoft.md lists every Microsoft call teams-sip makes: no adapter may use a Graph path, and
no contract table in teams_sip/unverified.py may name an endpoint, that the table "Every call
teams-sip makes" leaves out; and README's permission table names only permissions that table gives."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from teams_sip import unverified
from teams_sip.adapters.graph.errors import permission_for

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = ROOT / "teams_sip" / "adapters"
HEADING = "## Every call teams-sip makes"
_CALL = re.compile(r"`(GET|POST|PATCH|PUT|DELETE) (/[^`\s]*)")


def table_rows() -> list[list[str]]:
    text = (ROOT / "docs" / "microsoft.md").read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows[1:] if not set(row[0].strip()) <= {"-"}]


def documented_calls() -> list[tuple[str, str, str]]:
    """(method, path template, permission cell) of each row that names a method and a path."""
    calls = []
    for row in table_rows():
        m = _CALL.search(row[0])
        if m is not None:
            calls.append((m[1], _path(m[2]), row[2]))
    return calls


def _path(raw: str) -> str:
    """The path alone: no query, no function arguments, no version root."""
    path = re.split(r"[?(]", raw, maxsplit=1)[0]
    return re.sub(r"^/(v1\.0|beta)(?=/)", "", path)


def _matches(template: str, path: str) -> bool:
    pattern = "/".join("[^/]+" if re.fullmatch(r"\{[^}]*\}", s) else re.escape(s) for s in template.split("/"))
    return re.fullmatch(pattern, path) is not None


def graph_path_literals() -> dict[str, str]:
    """Every string (f-strings with their module's string constants filled in) in the adapters that is
    a path below an API root, by the file it is in."""
    found: dict[str, str] = {}
    for source in sorted(ADAPTERS.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)
                     if isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        inside = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            text = _text(node, constants) if id(node) not in inside else None
            if text is None:
                continue
            text = text.removeprefix("{x}")
            if re.match(r"^/[A-Za-z$]", text) and " " not in text:
                found[_path(text.replace("{x}", "x"))] = str(source.relative_to(ROOT))
    return found


def _text(node: ast.AST, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) and v.value.id in constants:
                parts.append(constants[v.value.id])
            else:
                parts.append("{x}")
        return "".join(parts)
    return None


def test_the_table_is_there_and_names_its_sources() -> None:
    rows = table_rows()
    assert len(rows) >= 20
    assert all(len(row) == 5 and all(row) for row in rows), [row for row in rows if len(row) != 5 or not all(row)]


def test_every_graph_path_an_adapter_uses_is_in_the_table() -> None:
    literals = graph_path_literals()
    assert {"/users", "/$batch", "/admin/teams/userConfigurations", "/teamwork/devices"} <= set(literals)
    templates = [path for _, path, _ in documented_calls()]
    missing = {p: where for p, where in literals.items() if not any(_matches(t, p) for t in templates)}
    assert missing == {}, "add these calls to docs/microsoft.md, 'Every call teams-sip makes'"


def test_every_contract_endpoint_is_in_the_table() -> None:
    calls = {(method, path) for method, path, _ in documented_calls()}
    contract = [*unverified.CONTRACT_ENDPOINTS.values(), *unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS.values()]
    for endpoint in contract:
        assert any(m == endpoint.method and _matches(t, endpoint.path) for m, t in calls), endpoint
    assert any(m == "GET" and t == unverified.POLICY_ADMIN_PATH for m, t in calls)


def test_the_permission_a_403_names_is_the_one_the_table_gives() -> None:
    for _, path, permission in documented_calls():
        named = permission_for(path.replace("{", "").replace("}", ""))
        if named is not None and "not supported" not in permission:
            assert named in permission, (path, named, permission)


def test_readme_names_only_permissions_the_table_gives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"^\| `?([A-Z][A-Za-z]+(?:\.[A-Za-z]+)+)`? \|", readme, re.MULTILINE))
    assert {"User.Read.All", "Mail.Send"} <= named
    permissions = " ".join(row[2] for row in table_rows())
    assert sorted(p for p in named if p not in permissions) == []
