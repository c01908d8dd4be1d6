"""Issue 13, item 2: an import inside a function only defers a heavy or optional dependency,
and says so in a comment with the word "deferred" (on the line, or just above the run of
imports it belongs to). Cycles are import-linter's job (`make lint`)."""

from __future__ import annotations

import ast

from tests.support.paths import ROOT

PACKAGES = ("monitor", "connectors", "detectors")


def _function_imports(tree: ast.AST) -> list[ast.stmt]:
    found: list[ast.stmt] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    return found


def _explained(lines: list[str], lineno: int) -> bool:
    """Whether the import at 1-based ``lineno`` says "deferred" on its line, or in the
    comment above the block of imports (and blank lines) that it is part of."""
    index = lineno - 1
    if "deferred" in lines[index].lower() and "#" in lines[index]:
        return True
    index -= 1
    while index >= 0:
        text = lines[index].strip()
        if text.startswith("#"):
            return "deferred" in text.lower() or _comment_above(lines, index)
        if not (text.startswith(("import ", "from ")) or not text):
            return False
        index -= 1
    return False


def _comment_above(lines: list[str], index: int) -> bool:
    while index >= 0 and lines[index].strip().startswith("#"):
        if "deferred" in lines[index].lower():
            return True
        index -= 1
    return False


def scan() -> tuple[int, list[str]]:
    total, unexplained = 0, []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            for node in _function_imports(ast.parse(source)):
                total += 1
                if not _explained(lines, node.lineno):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    unexplained.append(f"{where}: {ast.unparse(node)}")
    return total, unexplained


def test_every_import_inside_a_function_says_why_it_is_deferred():
    total, unexplained = scan()
    assert total > 0  # the scan finds them (detectors.build defers the heavy detectors)
    assert not unexplained, (
        "move these imports to the top of the module, or say in a '# Deferred: ...' comment "
        "which heavy or optional dependency they put off:\n" + "\n".join(unexplained)
    )


def test_the_check_tells_an_explained_import_from_a_bare_one():
    bare = ["def f():", "    import json", "    return json"]
    said = ["def f():", "    # Deferred: pika is optional.", "    import pika", "    import x"]
    inline = ["def f():", "    import cv2  # deferred: OpenCV is heavy"]
    assert not _explained(bare, 2)
    assert _explained(said, 3) and _explained(said, 4)
    assert _explained(inline, 2)
