# ruff: noqa: RUF001  (the Greek placeholders of Divi's payloads are the point)
"""The options Divi sends (``async_job/expval.py``): clause 3 of the design contract.

``ham_ops`` gives exact expectation values (qubit 0 leftmost, ``|``-groups assigned by
``circuit_ham_map``); ``shot_groups`` gives each circuit its shots.
"""

from __future__ import annotations

from typing import Any

import pytest

from qiskit_myprovider import MyProvider
from qiskit_myprovider.adapters import AsyncJobBackendAdapter
from tests.adapters.async_job.helpers import (
    BELL,
    HEADER,
    QAOA_TEMPLATE,
    X0,
    X2,
    Payload,
    by_label,
    run,
)


def test_bell_expectation_values_are_exact(adapter: AsyncJobBackendAdapter) -> None:
    results = run(adapter, {"bell": BELL}, ham_ops="ZZ;XX;YY;ZI;IZ;II")
    assert results == [
        {
            "label": "bell",
            "results": {"ZZ": 1.0, "XX": 1.0, "YY": -1.0, "ZI": 0.0, "IZ": 0.0, "II": 1.0},
        }
    ]


def test_ham_ops_put_qubit_zero_leftmost(adapter: AsyncJobBackendAdapter) -> None:
    results = by_label(run(adapter, {"a": X0, "b": X2}, ham_ops="ZII;IIZ;XII"))
    assert results == {
        "a": {"ZII": -1.0, "IIZ": 1.0, "XII": 0.0},
        "b": {"ZII": 1.0, "IIZ": -1.0, "XII": 0.0},
    }


def test_ham_ops_groups_follow_circuit_ham_map(adapter: AsyncJobBackendAdapter) -> None:
    results = by_label(
        run(
            adapter,
            {"a": X0, "b": X2, "c": X0},
            ham_ops="ZII|IIZ;IZI",
            circuit_ham_map=[[0, 1], [1, 2]],
        )
    )
    # "c" is in no range, so it gets every term.
    assert results == {
        "a": {"ZII": -1.0},
        "b": {"IIZ": -1.0, "IZI": 1.0},
        "c": {"ZII": -1.0, "IIZ": 1.0, "IZI": 1.0},
    }


def test_expectation_values_of_a_parametric_payload(adapter: AsyncJobBackendAdapter) -> None:
    template = HEADER + "qreg q[1];\ncreg c[1];\nry(t) q[0];\nmeasure q -> c;\n"
    rows = (("zero", (0.0,)), ("half", (1.5707963267948966,)), ("pi", (3.141592653589793,)))
    results = by_label(run(adapter, [Payload(template, ("t",), rows)], ham_ops="Z;X"))
    assert results["zero"] == pytest.approx({"Z": 1.0, "X": 0.0}, abs=1e-12)
    assert results["half"] == pytest.approx({"Z": 0.0, "X": 1.0}, abs=1e-12)
    assert results["pi"] == pytest.approx({"Z": -1.0, "X": 0.0}, abs=1e-12)


def test_short_terms_are_padded_onto_the_first_qubits_with_a_warning(
    adapter: AsyncJobBackendAdapter,
) -> None:
    with pytest.warns(UserWarning, match="padded onto its first qubits"):
        handle = adapter.submit_circuits({"a": X0}, ham_ops="Z")
    adapter.poll_job_status(handle, loop_until_complete=True, verbose=False)
    assert adapter.get_job_results(handle).results == [{"label": "a", "results": {"ZII": -1.0}}]


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"ham_ops": "ZA"}, ValueError, "not a Pauli string"),
        ({"ham_ops": ""}, TypeError, "non-empty"),
        ({"ham_ops": "ZZZZ"}, ValueError, "acts on 4 qubits"),
        ({"ham_ops": "ZZ", "circuit_ham_map": [[0, 1], [1, 2]]}, ValueError, "1 '|'"),
        ({"ham_ops": "ZZ", "circuit_ham_map": [[0, 3]]}, ValueError, "out of bounds"),
        ({"ham_ops": "ZZ", "circuit_ham_map": [[0, "1"]]}, TypeError, "lists of ints"),
        ({"circuit_ham_map": [[0, 1]]}, ValueError, "only applies with ham_ops"),
        ({"ham_ops": "ZZ", "shot_groups": [[0, 1, 5]]}, ValueError, "incompatible"),
        ({"shot_groups": [[0, 1, 5]]}, ValueError, r"missing positions \[1\]"),
        ({"shot_groups": [[0, 2, 0]]}, ValueError, "0 shots"),
        ({"shot_groups": [[0, 2, 5], [1, 2, 5]]}, ValueError, "overlaps"),
        ({"shot_groups": [[0, 3, 5]]}, ValueError, "out of bounds"),
        ({"shot_groups": [[0, 2]]}, TypeError, r"\[start, end, shots\]"),
        ({"shots": 5}, TypeError, r"unexpected keyword arguments \['shots'\]"),
        ({"foo": 1, "bar": 2}, TypeError, r"\['bar', 'foo'\]"),
    ],
)
def test_bad_options_are_refused_before_anything_is_queued(
    provider: MyProvider,
    adapter: AsyncJobBackendAdapter,
    options: dict[str, Any],
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        adapter.submit_circuits({"a": BELL, "b": BELL}, **options)
    assert provider.jobs() == []


def test_shot_groups_split_a_payloads_rows(adapter: AsyncJobBackendAdapter) -> None:
    rows = (("a", (0.1, 0.2)), ("b", (0.3, 0.4)), ("c", (0.5, 0.6)))
    results = run(
        adapter,
        [Payload(QAOA_TEMPLATE, ("β[0]", "γ[0]"), rows)],
        shot_groups=[[0, 1, 7], [1, 3, 9]],
    )
    assert {e["label"]: sum(e["results"].values()) for e in results} == {"a": 7, "b": 9, "c": 9}
