"""The package's modules import each other without cycles, function-local imports included.

A cycle works until someone reorders two lines, and then fails on a participant's machine with an
ImportError about a partially initialised module; it also means two ideas lean on each other.
Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` too, so those count as imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "playground_lib"


def module_files() -> dict[str, Path]:
    found = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _with_parents(name: str, known: dict[str, Path]) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(2, len(parts) + 1) if ".".join(parts[:i]) in known}


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets.add(base)
            targets |= {f"{base}.{alias.name}" for alias in node.names}
    edges: set[str] = set()
    for target in targets:
        if target.split(".")[0] == PACKAGE:
            edges |= _with_parents(target, known)
    edges.discard(name)
    # a module's own parent packages are already importing it: not a cycle of ideas
    return edges - _with_parents(name, known)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_in_the_package():
    known = module_files()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_subcommands_never_import_from_the_package_that_loads_them():
    """``cli/__init__`` imports every subcommand; one importing a name back from it leans on load order."""
    cli = SRC / PACKAGE / "cli"
    modules = {p.stem for p in cli.glob("*.py")}
    leaning = []
    for path in sorted(cli.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            from_package = isinstance(node, ast.ImportFrom) and (
                (node.level == 1 and not node.module) or (node.level == 0 and node.module == f"{PACKAGE}.cli")
            )
            if from_package:
                leaning += [f"{path.name}: {a.name}" for a in node.names if a.name not in modules]
    assert not leaning, f"import these from their own module, not from cli/__init__: {leaning}"


def test_matplotlib_is_imported_only_under_figures():
    """Every picture is drawn in ``figures/`` (docs/DEVELOPING.md); elsewhere even a function-local import counts."""
    figures = SRC / PACKAGE / "figures"
    drawing = []
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        if figures in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n.split(".")[0] == "matplotlib" for n in names):
                drawing.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not drawing, f"matplotlib imported outside figures/: {drawing}"
