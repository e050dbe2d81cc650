"""The package's shape: imports point one way (no cycle, package `__init__`s counted), no
module over 500 lines, no private name imported from another module."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_edu"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def module_imports(name: str, path: Path, known: dict) -> list:
    """(module, name) of each module-level import of the package, relative ones resolved;
    importing `a.b.c` runs the packages `a` and `a.b` first, so they count too, unless they
    contain the importing module (then they are being imported already)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.parse(path.read_text()).body:  # module level only
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = ".".join(base[: len(base) - node.level + 1]) if node.level else ""
            target = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, alias.name))
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
    graph = []
    for target, imported in found:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            module = ".".join(parts[:i])
            if module in known and not (i < len(parts) and name.startswith(module + ".")):
                graph.append((module, imported))
    return graph


def import_graph() -> dict:
    known = modules()
    return {name: {t for t, _ in module_imports(name, path, known) if t != name}
            for name, path in known.items()}


def find_cycle(graph: dict) -> list | None:
    """A cycle of the directed graph as a list of modules, or None (iterative DFS)."""
    state = {}
    for start in graph:
        if start in state:
            continue
        stack, path = [(start, iter(sorted(graph[start])))], [start]
        state[start] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = "done"
            elif state.get(child) == "open":
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
    return None


def test_find_cycle_finds_a_cycle_through_a_package_init():
    assert find_cycle({"p": {"p.a"}, "p.a": {"p.b"}, "p.b": {"p"}}) == ["p", "p.a", "p.b", "p"]
    assert find_cycle({"p": {"p.a"}, "p.a": set()}) is None


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_no_module_over_500_lines():
    long = {name: n for name, p in modules().items()
            if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_no_private_name_imported_across_modules():
    known = modules()
    private = [(name, target, imported) for name, path in known.items()
               for target, imported in module_imports(name, path, known)
               if imported and imported.startswith("_") and not imported.startswith("__")]
    assert private == []


def test_the_walk_stays_short_enough_to_read():
    """engine.run, the function docs/engine.md tells a learner to study, is the walk and
    nothing else (issue 16: under ~60 lines, the rest in helpers named for what they do)."""
    import inspect

    from tinygrad_edu.autograd import engine

    assert len(inspect.getsource(engine.run).splitlines()) < 60
