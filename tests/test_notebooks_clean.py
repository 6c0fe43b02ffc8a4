"""Notebooks are committed clean and papermill-ready."""
import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "01_setup.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_a_parameters_cell_of_literals(path):
    import ast

    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    names = set()
    for node in ast.parse(cells[0].source).body:
        # `name: type = literal  # meaning`: papermill --help-notebook shows the type and the meaning
        assert isinstance(node, ast.AnnAssign), f"{path.name}: parameters are annotated assignments"
        ast.literal_eval(node.value)  # literals only: papermill does not recompute derived values
        names.add(node.target.id)
    assert {"seed", "smoke"} <= names
    for line in cells[0].source.splitlines():
        assert "  # " in line, f"{path.name}: every parameter says what it means: {line!r}"


#: the longest code cell a notebook may have outside its parameters cell (the story stays readable)
MAX_CELL_LINES = 10


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short_and_plain(path):
    import ast

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        lines = [l for l in cell.source.splitlines() if l.strip()]
        assert len(lines) <= MAX_CELL_LINES, f"{path.name}: a cell of {len(lines)} lines:\n{cell.source}"
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.ClassDef, ast.FunctionDef)) for n in ast.walk(tree)), \
            f"{path.name}: classes and functions belong in glo_lib:\n{cell.source}"
        assert not any(isinstance(n, ast.Lambda) for n in ast.walk(tree)), \
            f"{path.name}: no lambdas in notebooks:\n{cell.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_config_comes_from_the_parameters(path):
    source = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells)
    if "GLOConfig" in source:
        assert "GLOConfig.from_params(globals()" in source and "GLOConfig(" not in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_reads_every_parameter_with_type_and_meaning(path):
    import ast

    import papermill

    nb = nbformat.read(str(path), as_version=4)
    source = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", [])).source
    declared = {node.target.id for node in ast.parse(source).body}
    inferred = papermill.inspect_notebook(str(path))
    # papermill skips a line holding two "=" (one in a comment, say): that parameter would be unknown
    assert set(inferred) == declared
    for name, p in inferred.items():
        assert p["inferred_type_name"] not in ("None", "", None), f"{path.name}: {name} has no type"
        assert p["help"], f"{path.name}: {name} has no meaning"
