"""Typed JSON: every tag round-trips, and decoding refuses what it does not know."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from qiskit.quantum_info import Clifford, DensityMatrix, Operator, Statevector, SuperOp

from qiskit_myprovider.store.values import FORMAT, dumps, loads


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"shots": 100, "flag": True, "ratio": 0.25, "text": "é", "list": [1, [2, None]]},
        (1, (2, 3)),
        {3: "int key", (1, 2): "tuple key"},
        {"__type__": "the user's own key"},
        1 + 2j,
        b"\x00\x01raw",
        datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    ],
)
def test_plain_and_tagged_values_round_trip_exactly(value: Any) -> None:
    back = loads(dumps(value))
    assert back == value
    assert type(back) is type(value)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.int64).reshape(2, 3),
        np.array([1 + 1j, 0.5j], dtype=np.complex128),
        np.array([True, False]),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.zeros((0, 4), dtype=np.float32),
    ],
)
def test_arrays_round_trip_with_dtype_and_shape(array: np.ndarray[Any, Any]) -> None:
    back = loads(dumps(array))
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_object_arrays_and_numpy_scalars_are_written_without_pickle() -> None:
    objects = np.array([1, "two", None], dtype=object)
    document = json.loads(dumps({"a": objects, "s": np.float32(1.5)}))
    assert document["value"]["a"]["__type__"] == "ndarray_object"
    back = loads(dumps({"a": objects, "s": np.float32(1.5)}))
    assert list(back["a"]) == [1, "two", None]
    assert back["s"] == np.float32(1.5)
    assert back["s"].dtype == np.float32


def test_quantum_states_and_operators_round_trip() -> None:
    state = Statevector.from_label("+0")
    values = [
        state,
        DensityMatrix(state),
        Operator.from_label("XZ"),
        SuperOp(Operator.from_label("Y")),
    ]
    for value in values:
        back = loads(dumps(value))
        assert back == value
        assert type(back).__name__ == type(value).__name__
    clifford = Clifford.from_label("HS")
    assert loads(dumps(clifford)) == clifford


def test_a_value_no_tag_carries_is_stored_as_its_repr_text() -> None:
    class Odd:
        def __repr__(self) -> str:
            return "Odd()"

    assert loads(dumps({"odd": Odd()})) == {
        "odd": f"<unstored {__name__}.{Odd.__qualname__}: Odd()>"
    }


def _document(value: Any) -> bytes:
    return json.dumps({"__format__": FORMAT, "value": value}).encode()


def test_an_unknown_tag_a_newer_format_or_an_object_dtype_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown value type 'PrimitiveResultV9'.*upgrade"):
        loads(_document({"__type__": "PrimitiveResultV9"}))
    with pytest.raises(ValueError, match="malformed 'PrimitiveResult'"):
        loads(_document({"__type__": "PrimitiveResult"}))
    with pytest.raises(ValueError, match="malformed 'BitArray'"):
        loads(_document({"__type__": "BitArray", "array": 3, "num_bits": "x"}))
    with pytest.raises(ValueError, match="format 1"):
        loads(json.dumps({"__format__": 2, "value": 1}).encode())
    with pytest.raises(ValueError, match="format 1"):
        loads(b"[1, 2]")
    data = base64.b64encode(b"\x00" * 8).decode()
    with pytest.raises(ValueError, match="holds Python objects"):
        loads(_document({"__type__": "ndarray", "dtype": "|O", "shape": [1], "data": data}))


def test_text_with_a_lone_surrogate_round_trips() -> None:
    """Python strings may hold what UTF-8 cannot (a fuzzed option value found it)."""
    value = {"accept_distributed_results": "\ud800", "name": "Grüße ✓"}
    assert loads(dumps(value)) == value
