"""The analyst notebooks: committed without outputs, and each runs top to bottom on a clean kernel."""

import json
import sys
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed")

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ("01_chain_maps.ipynb", "02_ranking.ipynb", "03_landing_model.ipynb")
#: Seconds one cell may take (the three notebooks together run in well under a minute on an
#: idle machine; no wall-clock assertion, which would be flaky on a busy CI runner).
CELL_TIMEOUT = 120


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernel spec that runs this interpreter, so the notebooks see the library under test."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "recommender-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "recommender (tests)",
        "language": "python",
    }))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root))
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        yield "recommender-test"


def test_notebooks_are_all_there():
    assert [p.name for p in NOTEBOOKS] == list(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, kernel_name):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name=kernel_name, resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError naming the cell on the first error
    displayed = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if "image/png" in o.get("data", {})]
    assert displayed, f"{path.name} displayed no figure"
