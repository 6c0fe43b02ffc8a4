"""The package reads as the pipeline: layers import only downwards, and nothing imports in a cycle."""
import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "glo_lib"
#: sub-package -> layer; modules directly under glo_lib are the leaves (layer 0), ``notation`` among
#: them; ``narrative`` (the words) sits between the studies (the numbers) and reporting
LAYERS = {"core": 1, "measures": 2, "studies": 3, "narrative": 4, "reporting": 5}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    if module == "glo_lib":
        return max(LAYERS.values()) + 1  # the package's re-exports sit on top of everything
    parts = module.split(".")
    return LAYERS.get(parts[1], 0)


def imports(path: Path) -> list[tuple[str, bool]]:
    """glo_lib modules imported by ``path``, each with whether the import sits inside a function."""
    tree = ast.parse(path.read_text())
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f)}
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            candidates = [f"{base}.{a.name}" for a in node.names]
            names = [c if (ROOT / (c.replace(".", "/") + ".py")).exists()
                     or (ROOT / c.replace(".", "/")).is_dir() else base for c in candidates]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        out += [(n, id(node) in nested) for n in names if n.split(".")[0] == "glo_lib"]
    return out


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_the_layers_exist():
    assert {"glo_lib.core.train", "glo_lib.measures.evaluate", "glo_lib.studies.noise_study",
            "glo_lib.narrative.noise", "glo_lib.reporting.build", "glo_lib.checks", "glo_lib.paths",
            "glo_lib.notation"} <= set(MODULES)


def test_reporting_takes_its_names_from_the_notation_leaf_not_from_studies():
    import glo_lib.notation as notation

    names = {n for n in vars(notation) if not n.startswith("_")} | {"MEASURES"}  # measure labels: the registry
    for module in (m for m in MODULES if m.startswith("glo_lib.reporting.")):
        for node in ast.walk(ast.parse(MODULES[module].read_text())):
            if isinstance(node, ast.ImportFrom) and "studies" in (node.module or ""):
                named = names & {a.name for a in node.names}
                assert not named, f"{module} takes {', '.join(sorted(named))} from {node.module}"


def test_the_store_is_a_leaf():
    """The one store of trained things: core, measures and reporting all use it, so it imports leaves only."""
    assert layer("glo_lib.store") == 0
    assert all(layer(target) == 0 for target, _ in imports(MODULES["glo_lib.store"]))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_and_at_the_top(module):
    for target, inside_function in imports(MODULES[module]):
        assert layer(target) <= layer(module), f"{module} (layer {layer(module)}) imports {target} from above"
        assert not inside_function, f"{module} imports {target} inside a function"


def test_no_import_cycle():
    graph = {m: {t for t, _ in imports(p) if t in MODULES and t != m} for m, p in MODULES.items()}
    graph["glo_lib"] = set()  # the package's re-exports sit on top of everything, by design
    state: dict[str, int] = {}

    def visit(m, stack):
        state[m] = 1
        for t in graph[m]:
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack + [m, t]))
            if t not in state:
                visit(t, stack + [m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def test_the_short_api_still_works():
    import glo_lib as glo
    import glo_lib.core.train as train_module

    assert callable(glo.train) and callable(glo.train_or_load) and callable(glo.load_digits)
    assert glo.GLOConfig().epochs == 50
    assert train_module.train is glo.train  # the module is a module, the function a function


def test_every_package_of_glo_lib_is_installed_by_pyproject():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    declared = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "glo_lib").rglob("__init__.py")}
    assert found == declared, (found - declared, declared - found)  # a non-editable install would miss it
