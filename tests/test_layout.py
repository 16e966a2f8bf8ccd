"""The package's layers, read from the source with ``ast``: cli -> domain -> store -> shared.

Each subpackage's ``__init__`` docstring says which other subpackages it may import
("May import: a, b, and the shared modules ..."); a module that imports anything else, a
lower layer that imports a higher one, or an import cycle fails here, with the offending
import named. Imports inside functions count: they run too, only later.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mentorctl"
# Lower number, lower layer. The modules directly under mentorctl/ are the shared pieces.
LAYERS = {
    "cli": 3,
    "calendars": 2,
    "checkins": 2,
    "mail": 2,
    "matching": 2,
    "programs": 2,
    "report": 2,
    "safety": 2,
    "signups": 2,
    "store": 1,
}
SHARED = 0
ENTRY = 4  # __main__
TERMINAL_LIBRARIES = ("typer", "rich", "click")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of a mentorctl module, at any depth of the code."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("mentorctl")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("mentorctl"):
                continue
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.append((node.lineno, target if target in MODULES else node.module))
    return [(line, name) for line, name in found if name in MODULES]


def _third_party(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _package(module: str) -> str | None:
    """The subpackage a module belongs to, None for the shared modules and the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _layer(module: str) -> int:
    if module == "mentorctl.__main__":
        return ENTRY
    package = _package(module)
    return LAYERS[package] if package else SHARED


def _declared(package: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text())) or ""
    match = re.search(r"May import: (.*?)(?:and )?the shared modules", " ".join(doc.split()))
    assert match, f"mentorctl/{package}/__init__.py: its docstring has no 'May import:' line"
    return {name.strip() for name in match.group(1).split(",") if name.strip()}


GRAPH = {
    name: sorted({dep for _, dep in _imports(path)} - {name}) for name, path in MODULES.items()
}


def test_every_subpackage_says_what_it_owns_and_may_import():
    for package in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))
        assert doc and "Owns:" in doc, f"mentorctl/{package}/__init__.py: say what it owns"
        unknown = _declared(package) - set(LAYERS)
        assert not unknown, f"mentorctl/{package}: 'May import' names unknown {sorted(unknown)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_and_only_where_declared(module):
    path = MODULES[module]
    package = _package(module)
    allowed = _declared(package) | {package} if package else set()
    for line, dep in _imports(path):
        where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {dep}"
        if dep == "mentorctl":  # the version string
            continue
        assert _layer(dep) <= _layer(module), f"{where}: a lower layer imports a higher one"
        dep_package = _package(dep)
        if package and dep_package and dep_package not in allowed:
            pytest.fail(f"{where}: not in mentorctl/{package}'s 'May import' list")
        if package is None and module != "mentorctl.__main__":
            assert dep_package is None or dep_package == "store", (
                f"{where}: shared modules stay below the domain"
            )


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _package(m) != "cli"))
def test_domain_knows_nothing_of_the_terminal(module):
    for line, name in _third_party(MODULES[module]):
        assert name not in TERMINAL_LIBRARIES, (
            f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {name}: "
            "terminal output belongs in mentorctl/cli"
        )


def _cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_modules():
    cycle = _cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_cycle_between_subpackages():
    packages: dict[str, set[str]] = {}
    for module, deps in GRAPH.items():
        source = _package(module)
        if source is None:
            continue
        targets = {_package(d) for d in deps} - {None, source}
        packages.setdefault(source, set()).update(t for t in targets if t)
    cycle = _cycle({k: sorted(v) for k, v in packages.items()})
    assert cycle is None, "subpackage cycle: " + " -> ".join(cycle or [])


def test_the_checks_catch_what_they_are_for():
    assert _cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert _cycle({"a": ["b"], "b": []}) is None
    assert (
        _layer("mentorctl.store.db")
        < _layer("mentorctl.checkins.run")
        < _layer("mentorctl.cli.app")
    )
    assert _layer("mentorctl.errors") == SHARED


def test_modules_stay_small():
    long = {
        str(p.relative_to(PACKAGE.parent)): n
        for p in MODULES.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 520
    }
    assert not long, f"split these along their seams: {long}"
