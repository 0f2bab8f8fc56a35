"""The import-direction checker: cycles, private names and layers, read from source with ``ast``.

:func:`check` parses every module of a package (nothing is imported or run) and returns one
line per problem. What counts as an import of what:

- Every ``import`` statement counts wherever it is: at module level, under
  ``if TYPE_CHECKING:``, inside a function (a lazy import is still a dependency, and a cycle
  it hides only waits for the first call).
- ``import a.b.c`` and ``from a.b.c import name`` import the module ``a.b.c``; for a package
  that module is its ``__init__``. ``from a.b import c``, where ``a/b/c.py`` (or the package
  ``a/b/c/``) exists, imports the submodule ``a.b.c`` and *not* ``a.b``: Python runs
  ``a/b/__init__`` first, but only to reach ``c``, and nothing of it is used.
- The package ``__init__`` files Python runs on the way to a module (``a``, ``a.b`` for
  ``a.b.c``) are not counted either: otherwise every module would depend on its package's
  ``__init__``, and every ``__init__`` that re-exports its children would form a cycle with
  each of them. A child that imports a *name* from its package (``from a.b import X`` in
  ``a/b/y.py``) does depend on ``a/b/__init__``, so the rule that follows is: a child may
  import a sibling's name through the package ``__init__`` unless that ``__init__`` imports
  (directly or not) the child itself; then it is a cycle.
- Relative imports are resolved against the importing module's package. Imports of other
  distributions are ignored; ``importlib.import_module`` with a computed name is not seen.

Private names: a name starting with ``_`` (dunder names such as ``__version__`` excepted)
belongs to its module. Importing one from another module (``from x import _y``), reaching one
through an imported module (``x._y``, with ``x`` bound by an import in the same file; names are
tracked per file, not per scope) and importing a module whose own name starts with ``_`` from
outside the package that holds it are all problems. Public names are free to import, also
by a package ``__init__`` that re-exports its submodules' names.

Layers: ``layers`` maps a module prefix (relative to the package, whole dotted parts: ``store``
covers ``store`` and ``store.sqlite``; ``__init__`` and ``__main__`` name the package's own
files) to a rank; the longest prefix wins. A module may import only modules of its own rank or
lower; a module no prefix covers is a problem too, so that each new one gets a place.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Edge", "check", "cycles", "layer_problems", "private_imports", "scan"]


@dataclass(frozen=True)
class Edge:
    """One module importing another: where, and in which context."""

    source: str
    target: str
    where: str  # "file.py:LINE", relative to the package's parent folder
    context: str  # "", "under TYPE_CHECKING" or "in function NAME"

    def __str__(self) -> str:
        context = f" ({self.context})" if self.context else ""
        return f"{self.where}{context}"


@dataclass
class Scan:
    """What :func:`scan` read: the modules, their imports, and private names reached."""

    package: str
    root: Path  # the folder that holds the package: file names are given relative to it
    modules: dict[str, Path]
    edges: list[Edge]
    private: list[str]


def is_private(name: str) -> bool:
    """Whether ``name`` is private to its module (``_x``, but not ``__x__``)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def scan(package_dir: Path) -> Scan:
    """Parse every module under ``package_dir`` and collect its imports."""
    package_dir = Path(package_dir)
    package = package_dir.name
    modules: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    result = Scan(package, package_dir.parent, modules, [], [])
    for name, path in modules.items():
        _Reader(result, name, path).read()
    return result


class _Reader(ast.NodeVisitor):
    """Collects one module's imports, and the private names it reaches through them."""

    def __init__(self, scan: Scan, name: str, path: Path) -> None:
        self.scan, self.name, self.path = scan, name, path
        self.is_package = path.name == "__init__.py"
        self.file = path.relative_to(scan.root).as_posix()
        self.seen: set[Edge] = set()
        self.context: list[str] = []
        self.bound: dict[str, str] = {}  # local name -> the package module it is bound to

    def read(self) -> None:
        tree = ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path))
        self.visit(tree)
        inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and id(node) not in inner:
                self._attribute_chain(node)

    def _inside(self, context: str, node: ast.AST) -> None:
        self.context.append(context)
        self.generic_visit(node)
        self.context.pop()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name != "TYPE_CHECKING":
            self.generic_visit(node)
            return
        self.context.append("under TYPE_CHECKING")
        for statement in node.body:
            self.visit(statement)
        self.context.pop()
        for statement in node.orelse:
            self.visit(statement)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._inside(f"in function {node.name}", node)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            target = self._module_of(alias.name)
            if target is None:
                continue
            self._edge(target, node)
            self.bound[alias.asname or alias.name.split(".")[0]] = (
                target if alias.asname else self.scan.package
            )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node)
        if base is None or self._module_of(base) is None:
            return
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in self.scan.modules:
                self._edge(submodule, node)
                self.bound[alias.asname or alias.name] = submodule
                continue
            self._edge(self._module_of(base) or base, node)
            if is_private(alias.name):
                self._private(f"imports the private name {alias.name} from {base}", node)

    def _absolute(self, node: ast.ImportFrom) -> str | None:
        if node.level == 0:
            return node.module
        package = self.name.split(".") if self.is_package else self.name.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        return ".".join([*package, *([node.module] if node.module else [])])

    def _module_of(self, dotted: str) -> str | None:
        """The package's module that ``dotted`` names (its longest existing prefix)."""
        parts = dotted.split(".")
        if parts[0] != self.scan.package:
            return None
        while parts and ".".join(parts) not in self.scan.modules:
            parts.pop()
        return ".".join(parts) or None

    def _edge(self, target: str, node: ast.stmt) -> None:
        context = self.context[-1] if self.context else ""
        edge = Edge(self.name, target, f"{self.file}:{node.lineno}", context)
        if edge not in self.seen:  # one edge per statement, however many names it imports
            self.seen.add(edge)
            self.scan.edges.append(edge)
            self._check_private_module(target, node)

    def _check_private_module(self, target: str, node: ast.AST) -> None:
        parts = target.split(".")
        for index, part in enumerate(parts):
            owner = ".".join(parts[:index])
            if is_private(part) and not (self.name == owner or self.name.startswith(owner + ".")):
                self._private(f"imports the private module {target} from outside {owner}", node)

    def _private(self, what: str, node: ast.AST) -> None:
        line = getattr(node, "lineno", 0)
        self.scan.private.append(f"{self.name} {what} at {self.file}:{line}")

    def _attribute_chain(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            chain.insert(0, current.attr)
            current = current.value
        if not isinstance(current, ast.Name) or current.id not in self.bound:
            return
        module = self.bound[current.id]
        for attr in chain:
            if f"{module}.{attr}" in self.scan.modules:
                module = f"{module}.{attr}"
                self._check_private_module(module, node)
                continue
            if is_private(attr):
                self._private(f"reaches the private name {module}.{attr}", node)
            return


def cycles(scan: Scan) -> list[str]:
    """One line per import cycle: its modules in order, then where each of its imports is."""
    graph: dict[str, dict[str, list[Edge]]] = {name: {} for name in scan.modules}
    for edge in scan.edges:
        graph[edge.source].setdefault(edge.target, []).append(edge)
    found: dict[tuple[str, ...], str] = {}
    for component in _strongly_connected(graph):
        for start in sorted(component):
            path = _shortest_cycle(graph, start, component)
            if path is None:
                continue
            turn = path.index(min(path))
            key = tuple(path[turn:] + path[:turn])
            steps = zip(key, (*key[1:], key[0]), strict=True)
            sites = "; ".join(", ".join(map(str, graph[a][b])) for a, b in steps)
            found.setdefault(
                key, f"import cycle: {' -> '.join((*key, key[0]))}; imports at {sites}"
            )
    return sorted(found.values())


def _strongly_connected(graph: Mapping[str, Mapping[str, list[Edge]]]) -> Iterator[set[str]]:
    """Tarjan's components of more than one module, or of one that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> Iterator[set[str]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                yield from visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                yield component

    for node in sorted(graph):
        if node not in index:
            yield from visit(node)


def _shortest_cycle(
    graph: Mapping[str, Mapping[str, list[Edge]]], start: str, within: set[str]
) -> list[str] | None:
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph[node]):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if target in within and target not in came_from:
                came_from[target] = node
                queue.append(target)
    return None


def private_imports(scan: Scan) -> list[str]:
    """One line per import of another module's private name or private module."""
    return sorted(set(scan.private))


def layer_of(scan: Scan, module: str, layers: Mapping[str, int]) -> int | None:
    """The rank of ``module``: that of the longest prefix of it in ``layers``."""
    relative = module[len(scan.package) + 1 :] or "__init__"
    parts = relative.split(".")
    for end in range(len(parts), 0, -1):
        rank = layers.get(".".join(parts[:end]))
        if rank is not None:
            return rank
    return None


def layer_problems(scan: Scan, layers: Mapping[str, int]) -> list[str]:
    """One line per module without a layer, and per import of a higher layer."""
    problems = [
        f"{module} has no layer: add its prefix to the layer map"
        for module in scan.modules
        if layer_of(scan, module, layers) is None
    ]
    for edge in scan.edges:
        source, target = layer_of(scan, edge.source, layers), layer_of(scan, edge.target, layers)
        if source is not None and target is not None and target > source:
            problems.append(
                f"{edge.source} (layer {source}) imports {edge.target} (layer {target}) "
                f"at {edge}: imports go down the layers only"
            )
    return problems


def check(package_dir: Path, layers: Mapping[str, int]) -> list[str]:
    """Every problem :func:`cycles`, :func:`private_imports` and :func:`layer_problems` find."""
    found = scan(package_dir)
    return cycles(found) + private_imports(found) + layer_problems(found, layers)
