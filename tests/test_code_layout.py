"""The code's layout by concern: each package depends on those below it only, and no two modules
depend on each other (lazy imports inside functions count: they are dependencies too).

    archive  <-  index.text  <-  index.segments  <-  index.searching  <-  webapp
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["archive", "index.text", "index.segments", "index.searching", "webapp"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the three packages and the modules of the three it imports."""
    found: dict[str, set[str]] = {}
    for package in ("archive", "index", "webapp"):
        for path in (ROOT / package).rglob("*.py"):
            names: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
                    names.update(f"{node.module}.{alias.name}" for alias in node.names)
            found[module_name(path)] = {
                name for name in names if name.split(".")[0] in ("archive", "index", "webapp")
            }
    modules = set(found)
    return {m: {n for n in names if n in modules and n != m} for m, names in found.items()}


def layer(module: str) -> int | None:
    for number, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return number
    return None  # index/__init__.py: above none


def test_every_package_depends_only_on_the_ones_below_it():
    upward = [
        f"{module} imports {other}"
        for module, others in imports().items()
        for other in others
        if layer(module) is not None and layer(other) is not None and layer(other) > layer(module)
    ]
    assert upward == []


def test_no_two_modules_import_each_other():
    graph = imports()
    assert graph["archive.stores"] >= {"archive.store", "archive.pg_store"}
    mutual = sorted(
        f"{a} <-> {b}" for a, others in graph.items() for b in others if a < b and a in graph[b]
    )
    assert mutual == []


def test_index_keeps_no_module_outside_its_sub_packages():
    loose = sorted(p.name for p in (ROOT / "index").glob("*.py") if p.name != "__init__.py")
    assert loose == []
