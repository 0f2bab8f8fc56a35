"""A real notebook, executed by a Jupyter kernel (nbclient), as a user would run it.

Its saved output must show each progress bar's final frame (DONE, not a job that never
finished) and a job's and a job list's HTML summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from qiskit_myprovider import MyProvider
from tests.support import PATIENCE, child_env

CELLS = [
    """\
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qiskit_myprovider import MyProvider
from qiskit_myprovider.progress import JobsProgress, ProgressBar

provider = MyProvider(executor="process")
backend = provider.get_backend("myprovider_statevector")
qc = quantum_volume(20, 10, seed=1)
qc.measure_all()
qc = transpile(qc, backend, optimization_level=0)
""",
    # A job of about a second: the bar is drawn while it runs, then its final frame.
    """\
job = backend.run(qc, shots=10, job_name="nb-job")
job.wait_for_final_state(timeout=120, wait=0.1, callback=ProgressBar())
job
""",
    # Two jobs under one bar: its final frame too.
    """\
JobsProgress([backend.run(qc, shots=10, job_name="nb-pair") for _ in range(2)]).wait()
""",
    "provider.jobs()",
]


def widget_texts(notebook: Any) -> list[str]:
    """The last text each saved output widget shows (where rich draws its live display)."""
    widgets = notebook.metadata.get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    texts = []
    for model in state.values():
        outputs = model.get("state", {}).get("outputs") or []
        if outputs:
            texts.append(outputs[-1].get("data", {}).get("text/plain", ""))
    return texts


@pytest.mark.slow
def test_a_notebook_shows_the_final_frame_and_html_summaries(tmp_path: Path) -> None:
    store = tmp_path / "jobs.sqlite3"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = NotebookClient(
        notebook,
        timeout=int(PATIENCE * 2),
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=child_env(store))
    frames = widget_texts(notebook)
    assert frames, "the progress bar drew nothing"
    assert len(frames) == 2, frames  # the job's bar, then the pair's
    job_frame, pair_frame = (re.sub(r"\x1b\[[0-9;]*m", "", frame) for frame in frames)
    assert "✓ Job" in job_frame, frames
    assert "DONE" in job_frame, frames
    assert "myprovider_statevector · 20 qubits · 10 shots" in job_frame, frames
    assert "2/2" in pair_frame, frames
    assert "all done" in pair_frame, frames
    assert not any("RUNNING" in frame for frame in frames), frames
    outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
    html = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
    assert any("<table>" in page and "nb-job" in page and "DONE" in page for page in html), (
        json.dumps(outputs)[:2000]
    )
    assert any("3 jobs" in page for page in html)
    with MyProvider(store=store, executor="thread") as provider:
        assert [job.name() for job in provider.jobs()] == ["nb-pair", "nb-pair", "nb-job"]
