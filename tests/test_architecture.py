"""The domain's import rules, read from the source (nothing is imported or run).

docs/architecture.md describes the rooms; these tests keep them apart:
- no import circles between glossary modules;
- ``glossary.entries`` (the glossary) never imports ``glossary.meeting`` (one round's life);
- no glossary module imports Flask or Socket.IO (the domain takes arguments and returns values);
- no lazy imports between domain modules, except of the few modules whose import is slow
  (``LAZY_ON_PURPOSE``), and in the analysis command line, which forks its encoder first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "glossary"
# werkzeug.security (password hashing) is a plain library and allowed; werkzeug's web parts are not used.
WEB_PACKAGES = ("flask", "flask_socketio", "flask_babel", "socketio", "engineio", "werkzeug.wrappers", "werkzeug.exceptions", "facilitator")

#: Domain modules that may be imported inside a function, and why.
LAZY_ON_PURPOSE = {
    "glossary.semantics.pipeline": "imports spaCy (about a second): only an analysis needs it, not every web worker's start",
    "glossary.semantics.contrast": "loads wordfreq's lists: only an analysis needs them",
}
#: Modules that may import anything lazily, and why.
LAZY_IMPORTERS = {
    "glossary.analysis": "the command line forks its encoder child process before it loads the models",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def domain_modules() -> dict[str, Path]:
    return {
        module_name(p): p for p in DOMAIN.rglob("*.py")
        if "migrations" not in p.parts and "__pycache__" not in p.parts
    }


def imports_of(name: str, path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, imported at module level?, line) for every import in the file; a
    ``from package import module`` counts as importing the module when it is one."""
    known = domain_modules()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        at_top = id(node) in top_level or _inside_type_checking(tree, node)
        found += [(target, at_top, node.lineno) for target in targets]
    return found


def _inside_type_checking(tree: ast.Module, node: ast.AST) -> bool:
    for block in tree.body:
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
            if any(child is node for child in ast.walk(block)):
                return True
    return False


def graph() -> dict[str, set[str]]:
    """Module-level imports between domain modules (a package's own __init__ is left out of a
    submodule's edges: importing glossary.meeting.rounds runs glossary.meeting first anyway)."""
    modules = domain_modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, at_top, _line in imports_of(name, path):
            if at_top and target in modules and target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return edges


def find_circle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (circle := visit(nxt)):
                return circle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (circle := visit(node)):
            return circle
    return None


def test_the_checker_finds_a_circle_and_reads_relative_imports():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b"}, "b": set()}) is None
    targets = {t for t, _top, _line in imports_of("glossary.semantics.round_analysis", DOMAIN / "semantics" / "round_analysis.py")}
    assert "glossary.semantics.clustering" in targets and "glossary.readings" in targets


def test_the_domain_has_no_import_circles():
    circle = find_circle(graph())
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_glossary_never_imports_a_meeting():
    offenders = [
        f"{name}:{line} imports {target}"
        for name, path in domain_modules().items() if name.startswith("glossary.entries")
        for target, _top, line in imports_of(name, path) if target.startswith("glossary.meeting")
    ]
    assert offenders == []


def test_partners_documents_never_import_a_meeting():
    wrong = [
        f"{name}:{line} imports {target}"
        for name, path in domain_modules().items() if name.startswith("glossary.documents") or name == "glossary.terms"
        for target, _top, line in imports_of(name, path) if target.startswith("glossary.meeting")
    ]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(domain_modules()))
def test_no_domain_module_imports_the_web_layer(name):
    path = domain_modules()[name]
    web = [f"line {line}: {target}" for target, _top, line in imports_of(name, path)
           if target.split(".")[0] in WEB_PACKAGES or target in WEB_PACKAGES]
    assert web == [], f"{name} imports the web layer"


def test_no_lazy_imports_between_domain_modules_but_the_slow_ones():
    modules = domain_modules()
    lazy = [
        f"{name}:{line} imports {target} inside a function"
        for name, path in modules.items() if name not in LAZY_IMPORTERS
        for target, at_top, line in imports_of(name, path)
        if not at_top and target in modules and target not in LAZY_ON_PURPOSE
    ]
    assert lazy == []


def test_no_domain_file_is_over_about_six_hundred_lines():
    long = {name: n for name, path in domain_modules().items() if (n := len(path.read_text().splitlines())) > 620}
    assert long == {}


#: The order of the rooms inside glossary/meeting (docs/architecture.md): each imports only those before it.
MEETING_ORDER = ["rounds", "vectors", "drift", "meanings", "sorting", "discussion", "consent", "state", "outline",
                 "summary_pdf", "summary"]


def test_meeting_modules_import_only_those_before_them():
    place = {f"glossary.meeting.{name}": i for i, name in enumerate(MEETING_ORDER)}
    modules = domain_modules()
    assert set(place) == {name for name in modules if name.startswith("glossary.meeting.")}, "a new meeting module needs its place"
    backwards = [
        f"{name} imports {target}"
        for name in place
        for target, _top, _line in imports_of(name, modules[name])
        if target in place and place[target] >= place[name]
    ]
    assert backwards == []
