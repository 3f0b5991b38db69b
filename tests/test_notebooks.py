"""The tuning notebooks: committed without outputs, and they run top to bottom (nbclient)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from chartaudit.resources import PROJECT_ROOT, default_model_dir

NOTEBOOKS = PROJECT_ROOT / "notebooks"
NOTEBOOK_NAMES = ("01_tune_extractor.ipynb", "02_audit_analysis.ipynb")
#: Most seconds one cell may take (a whole notebook takes ~15-30 s on 2 busy cores).
CELL_TIMEOUT = 240


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_committed_without_outputs(name: str) -> None:
    import nbformat

    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(not cell.outputs and cell.execution_count is None for cell in code_cells)


def test_notebooks_match_their_generator() -> None:
    completed = subprocess.run([sys.executable, str(NOTEBOOKS / "make_notebooks.py"), "--check"],
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_python3_kernel_is_this_interpreter() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, find_kernel_specs

    assert "python3" in find_kernel_specs()
    command = KernelSpecManager().get_kernel_spec("python3").argv[0]
    # jupyter_client runs "python" as the interpreter that starts the kernel (this venv's).
    assert command == "python" or Path(command).resolve() == Path(sys.executable).resolve(), command


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize(("name", "working_directory"),
                         [("01_tune_extractor.ipynb", NOTEBOOKS), ("02_audit_analysis.ipynb", PROJECT_ROOT)])
def test_notebook_runs_top_to_bottom(name: str, working_directory: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    from chartaudit.model import model_info

    monkeypatch.setenv("CHARTAUDIT_NOTEBOOK_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("CHARTAUDIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CHARTAUDIT_NOTEBOOK_LIMIT", "10")
    default_before = model_info(default_model_dir()).content_hash
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(working_directory)}})
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    elapsed = time.perf_counter() - started

    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors
    # Opening the executed notebook must fetch nothing: no chart loads a library from a CDN.
    rich = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
            if output.output_type in ("display_data", "execute_result")]
    assert not [kind for output in rich for kind in output.get("data", {}) if "javascript" in kind or "vega" in kind]
    assert not [output for output in rich if "<script" in str(output.get("data", {}).get("text/html", ""))]
    if name == "02_audit_analysis.ipynb":
        assert sum("image/png" in output.get("data", {}) for output in rich) == 4, "the four charts, as images"
    assert all(cell.execution_count for cell in notebook.cells if cell.cell_type == "code")
    assert any((tmp_path / "out").iterdir()), "the notebook wrote nothing to its output folder"
    assert model_info(default_model_dir()).content_hash == default_before, "the notebook changed models/default"
    assert elapsed < 5 * CELL_TIMEOUT
