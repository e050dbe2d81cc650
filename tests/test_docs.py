"""The documentation stays true: every ```python block of docs/*.md runs as it is written.

One test per Markdown file. Its blocks run top to bottom in one shared namespace, from the
repository root, so a later block may use what an earlier one defined. A failing block
reports the file and the line inside it. The figures the pages embed must exist.
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
IMAGE_OR_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)")

# Blocks that quote the library's source rather than stand alone, as (page, block index,
# counted from 0) -> the module quoted. Such a block runs in a copy of that module's
# namespace (where its imports live), and every method it shows must equal the module's
# own, statement for statement (docstrings aside): the excerpt cannot drift from the code.
EXCERPTS = {
    ("engine.md", 0): "tinygrad_edu.ops.unary",  # `class Tanh(Function)`, without its imports
}


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """(line of the first code line, code) for each ```python block of a Markdown page."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


def run_block(page: Path, line: int, code: str, namespace: dict) -> None:
    # padding with newlines makes tracebacks point at the right line of the .md file
    exec(compile("\n" * (line - 1) + code, str(page), "exec"), namespace)


def _code_without_docstring(fn: ast.FunctionDef) -> str:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def check_excerpt(page: Path, line: int, code: str, module_name: str) -> None:
    module = importlib.import_module(module_name)
    run_block(page, line, code, dict(vars(module)))
    classes = [node for node in ast.parse(code).body if isinstance(node, ast.ClassDef)]
    assert classes, f"{page.name}:{line}: the excerpt of {module_name} defines no class"
    for quoted in classes:
        real_class = getattr(module, quoted.name, None)
        assert real_class is not None, \
            f"{page.name}:{line}: {module_name} has no class {quoted.name}"
        (real,) = ast.parse(inspect.getsource(real_class)).body
        real_methods = {f.name: f for f in real.body if isinstance(f, ast.FunctionDef)}
        for method in (f for f in quoted.body if isinstance(f, ast.FunctionDef)):
            assert method.name in real_methods, \
                f"{page.name}:{line}: {quoted.name}.{method.name} is not in {module_name}"
            assert _code_without_docstring(method) == \
                _code_without_docstring(real_methods[method.name]), (
                    f"{page.name}:{line}: {quoted.name}.{method.name} differs from "
                    f"{module_name}; update the page")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_python_blocks_run(page, monkeypatch):
    if any(uses in page.read_text() for uses in ("viz.draw(", "import matplotlib")):
        pytest.importorskip("matplotlib", reason="this page draws with matplotlib (the plot extra)")
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": f"docs.{page.stem}"}
    for index, (line, code) in enumerate(python_blocks(page)):
        excerpt_of = EXCERPTS.get((page.name, index))
        if excerpt_of:
            check_excerpt(page, line, code, excerpt_of)
        else:
            run_block(page, line, code, namespace)


def test_excerpt_table_points_at_python_blocks():
    for (name, index), _ in EXCERPTS.items():
        assert index < len(python_blocks(DOCS / name)), f"{name} has no block {index}"


def test_block_extraction_finds_code_and_line():
    blocks = python_blocks(DOCS / "tutorial_mlp_backprop.md")
    assert len(blocks) >= 4
    line, code = blocks[0]
    text = (DOCS / "tutorial_mlp_backprop.md").read_text(encoding="utf-8").splitlines()
    assert text[line - 2] == "```python" and text[line - 1] == code.splitlines()[0]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_and_figures_exist(page):
    for target in IMAGE_OR_LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        path = (page.parent / target).resolve()
        assert path.exists(), f"{page.name} links to {target}, which does not exist"
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{target} is not a PNG"
            assert path.stat().st_size < 200_000, f"{target} is over 200 KB"
