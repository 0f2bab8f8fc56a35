"""Workers start as clean interpreters: no user script is ever re-run in them.

Each case runs a real program in a child interpreter, as a user would, whose job goes to a
worker process; the program's body must run exactly once, exit 0, and leave exactly one DONE
job in the store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qiskit_myprovider import MyProvider
from tests.support import PATIENCE, child_env

#: The body of a user program without a ``__main__`` guard. It prints BODY once per run of
#: the body: a worker that re-imported the main module would print it again.
PROGRAM = """\
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import quantum_volume
from qiskit_myprovider import MyProvider

print("BODY", flush=True)
provider = MyProvider(executor={executor!r})
backend = provider.get_backend("myprovider_statevector")
if {slow!r}:
    # Estimated well over 0.3 s, so the default "auto" executor sends it to a worker.
    qc = quantum_volume(18, 12, seed=3)
    qc.measure_all()
    qc = transpile(qc, backend, optimization_level=0)
else:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
job = backend.run(qc, shots=20, seed_simulator=1)
counts = job.result(timeout=120).get_counts()
executor = backend.executor
workers = getattr(executor, "process_executor", executor).worker_pids()
print("RESULT", sum(counts.values()), type(executor).__name__, "workers", len(workers), flush=True)
provider.close()
"""

CASES = [
    pytest.param("auto", True, id="auto-slow-job"),
    pytest.param("process", False, id="process-executor"),
]


def run_program(how: str, program: str, store: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = child_env(store)
    if how == "script":
        script = cwd / "unguarded.py"
        script.write_text(program)
        argv, stdin = [sys.executable, str(script)], None
    elif how == "stdin":
        argv, stdin = [sys.executable, "-"], program
    else:
        argv, stdin = [sys.executable, "-c", program], None
    return subprocess.run(
        argv, input=stdin, capture_output=True, text=True, timeout=PATIENCE * 3, cwd=cwd, env=env
    )


def stored_statuses(store: Path) -> list[str]:
    with MyProvider(store=store, executor="thread") as provider:
        return [job.status().name for job in provider.jobs(limit=None)]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["script", "stdin", "command"])
@pytest.mark.parametrize(("executor", "slow"), CASES)
def test_a_program_without_a_main_guard_runs_its_worker_job_exactly_once(
    tmp_path: Path, how: str, executor: str, slow: bool
) -> None:
    store = tmp_path / "jobs.sqlite3"
    done = run_program(how, PROGRAM.format(executor=executor, slow=slow), store, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines.count("BODY") == 1, done.stdout
    name = "AutoExecutor" if executor == "auto" else "ProcessExecutor"
    assert f"RESULT 20 {name} workers 1" in lines, "the job did not run in a worker"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert stored_statuses(store) == ["DONE"]


@pytest.mark.slow
def test_a_jupyter_kernel_runs_a_worker_job_once(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    store = tmp_path / "jobs.sqlite3"
    code = PROGRAM.format(executor="process", slow=False)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            f"import os\nos.environ['QISKIT_MYPROVIDER_STORE'] = {json.dumps(str(store))}"
        ),
        nbformat.v4.new_code_cell(code),
    ]
    client = NotebookClient(
        notebook,
        timeout=int(PATIENCE * 3),
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=child_env(store))
    outputs = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert outputs.count("BODY") == 1, outputs
    assert "RESULT 20 ProcessExecutor workers 1" in outputs
    assert stored_statuses(store) == ["DONE"]


#: A caller that keeps two workers busy with long simulations, then waits to be killed.
BUSY_CALLER = """\
import sys, time
from qiskit import transpile
from qiskit.circuit.library import quantum_volume
from qiskit_myprovider import MyProvider
from qiskit_myprovider.execution import ProcessExecutor

provider = MyProvider(store=":memory:", executor=ProcessExecutor(max_workers=2))
backend = provider.get_backend("myprovider_statevector")
qc = quantum_volume(24, 30, seed=5)
qc.measure_all()
qc = transpile(qc, backend, optimization_level=0)
jobs = [backend.run(qc, shots=10) for _ in range(2)]
while not all(job.running() for job in jobs):
    time.sleep(0.01)
print(*provider.executor.worker_pids(), flush=True)
time.sleep(600)
"""

#: How soon every worker must be gone after its caller dies.
WORKERS_GONE_WITHIN = 2.0


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_workers_die_with_their_caller_quietly(tmp_path: Path, signal_name: str) -> None:
    import signal
    import time

    from tests.support import process_alive, wait_until

    with subprocess.Popen(
        [sys.executable, "-c", BUSY_CALLER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=tmp_path,
    ) as caller:
        assert caller.stdout is not None
        assert caller.stderr is not None
        pids = [int(pid) for pid in caller.stdout.readline().split()]
        assert len(pids) == 2, "the caller did not report two busy workers"
        assert all(process_alive(pid) for pid in pids)
        caller.send_signal(getattr(signal, signal_name))
        killed_at = time.monotonic()
        caller.wait(PATIENCE)
        wait_until(
            lambda: not any(process_alive(pid) for pid in pids),
            what="the workers to die with their caller",
            timeout=WORKERS_GONE_WITHIN,
        )
        assert time.monotonic() - killed_at <= WORKERS_GONE_WITHIN + 0.5
        # The workers shared the caller's stderr: it ends (EOF) once they are all gone,
        # and they wrote nothing into it on the way out.
        assert caller.stderr.read() == ""


def test_the_smallest_memory_limit_runs_a_small_job_and_an_over_limit_job_names_it() -> None:
    from qiskit import QuantumCircuit

    from qiskit_myprovider.execution import ProcessExecutor

    executor = ProcessExecutor(max_workers=1, memory_limit_mb=64)  # the smallest accepted
    try:
        with MyProvider(store=":memory:", executor=executor) as provider:
            backend = provider.get_backend("myprovider_statevector")
            small = QuantumCircuit(1)
            small.x(0)
            small.measure_all()
            assert backend.run(small, shots=10).result(timeout=PATIENCE).get_counts() == {"1": 10}
            big = QuantumCircuit(26)  # 1 GiB of amplitudes
            big.h(range(26))
            big.measure_all()
            job = backend.run(big, shots=10)
            job.wait_for_final_state(timeout=PATIENCE)
            assert job.status().name == "ERROR"
            assert "64M" in (job.error_message() or ""), job.error_message()
            assert backend.run(small, shots=5).result(timeout=PATIENCE).get_counts() == {"1": 5}
    finally:
        executor.shutdown()


def test_an_inherited_omp_num_threads_does_not_cap_the_thread_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dask's LocalCluster leaves OMP_NUM_THREADS=1 in the caller's environment."""
    import os

    from qiskit import transpile
    from qiskit.circuit.random import random_circuit

    from qiskit_myprovider.execution import ProcessExecutor

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    executor = ProcessExecutor(max_workers=1)
    try:
        with MyProvider(store=":memory:", executor=executor) as provider:
            backend = provider.get_backend("myprovider_statevector")
            circuit = transpile(random_circuit(16, 20, measure=True, seed=1), backend)
            result = backend.run(circuit, shots=10).result(timeout=PATIENCE)
            assert result.results[0].metadata["parallel_state_update"] == (os.cpu_count() or 1)
    finally:
        executor.shutdown()
