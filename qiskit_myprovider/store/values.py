"""Values as typed JSON: the store's one encoding for options, headers, results and noise models.

Reading it runs no code: decoding uses only :func:`json.loads`, :func:`numpy.frombuffer` (no
object arrays, so no pickle) and the ``from_dict`` constructors of a fixed list of Qiskit
classes. A document is ``{"__format__": FORMAT, "value": V}``; ``V`` is JSON where plain JSON
fits (``null``, booleans, numbers, strings, lists, objects with string keys) and a *tagged
object* ``{"__type__": TAG, ...}`` for everything else:

=====================  ===============================================================
``__type__``           holds
=====================  ===============================================================
``complex``            ``re``, ``im``
``ndarray``            ``dtype`` (NumPy's ``dtype.str``), ``shape``, ``data`` (base64 of
                       the C-order bytes); object arrays are never written
``ndarray_object``     ``items``: an object array's elements, each encoded
``scalar``             a NumPy scalar: ``dtype``, ``data`` (base64)
``tuple``              ``items``
``dict``               ``items``: ``[key, value]`` pairs (a dict whose keys are not all
                       strings, or that has a ``__type__`` key of its own)
``bytes``              ``data`` (base64)
``datetime``           ``iso`` (ISO 8601)
``Statevector``,       ``data`` (an ``ndarray``) and ``dims``; ``Operator`` and ``SuperOp``
``DensityMatrix``,     ``input_dims`` and ``output_dims``
``Operator``,
``SuperOp``
``Clifford``,          ``tableau`` (a boolean ``ndarray``)
``StabilizerState``
``Result``             ``data``: :meth:`qiskit.result.Result.to_dict`, encoded
``NoiseModel``         ``data``: basis gates and ``NoiseModel.to_dict()`` (see
                       :mod:`qiskit_myprovider.store.noise`)
``PrimitiveResult``    ``pubs`` (the PUB results) and ``metadata``
``PubResult``,         ``data`` (a ``DataBin``) and ``metadata``
``SamplerPubResult``
``DataBin``            ``shape`` and ``fields``: ``[name, value]`` pairs, in order
``BitArray``           ``array`` (a ``uint8`` ``ndarray``) and ``num_bits``
``unstored``           ``type`` and ``repr`` of a value none of the above carries; it
                       reads back as the text ``"<unstored TYPE: REPR>"``
=====================  ===============================================================

New kinds join as new tags; a reader that meets a tag it does not know refuses the document
(it never guesses), so such a record reads as damaged with a message saying to upgrade.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from qiskit_myprovider.store.noise import noise_model_from_data, noise_model_to_data

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FORMAT", "TYPE_KEY", "dumps", "loads"]

#: The version of this encoding, in every document.
FORMAT: Final = 1
#: The key that marks a tagged object.
TYPE_KEY: Final = "__type__"

_PLAIN: Final = (str, int, float, bool, type(None))


def dumps(value: object) -> bytes:
    """Encode ``value`` as a typed-JSON document (UTF-8 bytes)."""
    document = {"__format__": FORMAT, "value": _encode(value)}
    # ASCII escapes keep any text, lone surrogates included (they have no UTF-8 form).
    return json.dumps(document, separators=(",", ":")).encode()


def loads(data: bytes) -> Any:
    """Decode a document written by :func:`dumps`.

    Raises:
        ValueError: ``data`` is not such a document, its format is newer than this code's,
            or it holds a tag this code does not know.
    """
    document = json.loads(data, object_hook=_decode_object)
    if not isinstance(document, dict) or document.get("__format__") != FORMAT:
        raise ValueError(f"not a typed-JSON document of format {FORMAT}")
    return document["value"]


def _encode(value: object) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        if all(type(key) is str for key in value) and TYPE_KEY not in value:
            return {key: _encode(item) for key, item in value.items()}
        return {TYPE_KEY: "dict", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return {TYPE_KEY: "tuple", "items": [_encode(item) for item in value]}
    if isinstance(value, complex):
        return {TYPE_KEY: "complex", "re": value.real, "im": value.imag}
    # Only a process that imported NumPy has NumPy values: listing needs no NumPy import.
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return _encode_array(value)
    if numpy is not None and isinstance(value, numpy.generic):
        if value.dtype.hasobject:
            return _unstored(value)
        return {TYPE_KEY: "scalar", "dtype": value.dtype.str, "data": _b64(value.tobytes())}
    if isinstance(value, bytes):
        return {TYPE_KEY: "bytes", "data": _b64(value)}
    if isinstance(value, datetime):
        return {TYPE_KEY: "datetime", "iso": value.isoformat()}
    encoder = _ENCODERS.get(type(value).__name__)
    if encoder is not None and type(value).__module__.startswith(("qiskit.", "qiskit_aer.")):
        try:
            return encoder(value)
        except Exception:  # an odd instance of a known class: keep the job, note the value
            return _unstored(value)
    return _unstored(value)


def _encode_array(array: np.ndarray[Any, Any]) -> dict[str, Any]:
    if array.dtype.hasobject:
        return {
            TYPE_KEY: "ndarray_object",
            "shape": list(array.shape),
            "items": [_encode(item) for item in array.ravel().tolist()],
        }
    return {
        TYPE_KEY: "ndarray",
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": _b64(array.tobytes(order="C")),
    }


def _unstored(value: object) -> dict[str, Any]:
    kind = type(value)
    try:
        text = repr(value)[:1000]
    except Exception:  # a repr that fails must not fail the job that carries the value
        text = "(no repr)"
    return {TYPE_KEY: "unstored", "type": f"{kind.__module__}.{kind.__qualname__}",
            "repr": text}  # fmt: skip


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("base64 data must be a string")
    return base64.b64decode(text, validate=True)


def _dtype(text: Any) -> np.dtype[Any]:
    import numpy as np

    dtype = np.dtype(str(text))
    if dtype.hasobject:  # object arrays would need pickle to read
        raise ValueError(f"refusing dtype {text!r}: it holds Python objects")
    return dtype


def _encode_state(value: Any) -> dict[str, Any]:
    return {TYPE_KEY: type(value).__name__, "data": _encode(value.data),
            "dims": list(value.dims())}  # fmt: skip


def _encode_operator(value: Any) -> dict[str, Any]:
    return {
        TYPE_KEY: type(value).__name__,
        "data": _encode(value.data),
        "input_dims": list(value.input_dims()),
        "output_dims": list(value.output_dims()),
    }


def _encode_clifford(value: Any) -> dict[str, Any]:
    tableau = value.tableau if type(value).__name__ == "Clifford" else value.clifford.tableau
    return {TYPE_KEY: type(value).__name__, "tableau": _encode(tableau)}


def _encode_result(value: Any) -> dict[str, Any]:
    return {TYPE_KEY: "Result", "data": _encode(value.to_dict())}


def _encode_noise_model(value: Any) -> dict[str, Any]:
    return {TYPE_KEY: "NoiseModel", "data": _encode(noise_model_to_data(value))}


def _encode_primitive_result(value: Any) -> dict[str, Any]:
    return {TYPE_KEY: "PrimitiveResult", "pubs": [_encode(pub) for pub in value],
            "metadata": _encode(dict(value.metadata))}  # fmt: skip


def _encode_pub_result(value: Any) -> dict[str, Any]:
    return {TYPE_KEY: type(value).__name__, "data": _encode(value.data),
            "metadata": _encode(dict(value.metadata))}  # fmt: skip


def _encode_data_bin(value: Any) -> dict[str, Any]:
    fields = [[name, _encode(item)] for name, item in value.items()]
    return {TYPE_KEY: "DataBin", "shape": list(value.shape), "fields": fields}


def _encode_bit_array(value: Any) -> dict[str, Any]:
    return {TYPE_KEY: "BitArray", "array": _encode_array(value.array),
            "num_bits": int(value.num_bits)}  # fmt: skip


_ENCODERS: Final[dict[str, Callable[[Any], dict[str, Any]]]] = {
    "Statevector": _encode_state,
    "DensityMatrix": _encode_state,
    "Operator": _encode_operator,
    "SuperOp": _encode_operator,
    "Clifford": _encode_clifford,
    "StabilizerState": _encode_clifford,
    "Result": _encode_result,
    "NoiseModel": _encode_noise_model,
    "PrimitiveResult": _encode_primitive_result,
    "PubResult": _encode_pub_result,
    "SamplerPubResult": _encode_pub_result,
    "DataBin": _encode_data_bin,
    "BitArray": _encode_bit_array,
}


# -- decoding: a fixed table of tags, each building only data or a known Qiskit class ------


def _decode_object(obj: dict[str, Any]) -> Any:
    tag = obj.get(TYPE_KEY)
    if tag is None:
        return obj
    decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
    if decoder is None:
        raise ValueError(
            f"unknown value type {tag!r}: a newer qiskit-myprovider wrote it; upgrade to read it"
        )
    try:
        return decoder(obj)
    except Exception as exc:  # missing keys, wrong types: a damaged document, never a crash
        raise ValueError(f"malformed {tag!r} value ({type(exc).__name__}: {exc})") from exc


def _decode_array(obj: dict[str, Any]) -> np.ndarray[Any, Any]:
    import numpy as np

    shape = tuple(int(n) for n in obj["shape"])
    return np.frombuffer(_unb64(obj["data"]), dtype=_dtype(obj["dtype"])).reshape(shape).copy()


def _decode_object_array(obj: dict[str, Any]) -> np.ndarray[Any, Any]:
    import numpy as np

    items = obj["items"]
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(tuple(int(n) for n in obj["shape"]))


def _decode_scalar(obj: dict[str, Any]) -> Any:
    import numpy as np

    return np.frombuffer(_unb64(obj["data"]), dtype=_dtype(obj["dtype"]))[0]


def _decode_state(obj: dict[str, Any]) -> Any:
    from qiskit_aer.backends import compatibility  # Aer's own subclasses, as Aer returns them

    kind = getattr(compatibility, obj[TYPE_KEY])
    return kind(obj["data"], dims=tuple(obj["dims"]))


def _decode_operator(obj: dict[str, Any]) -> Any:
    from qiskit_aer.backends import compatibility

    kind = getattr(compatibility, obj[TYPE_KEY])
    return kind(obj["data"], input_dims=tuple(obj["input_dims"]),
                output_dims=tuple(obj["output_dims"]))  # fmt: skip


def _decode_clifford(obj: dict[str, Any]) -> Any:
    from qiskit.quantum_info import Clifford

    clifford = Clifford(obj["tableau"])
    if obj[TYPE_KEY] == "Clifford":
        return clifford
    from qiskit_aer.backends.compatibility import StabilizerState

    return StabilizerState(clifford)


def _decode_result(obj: dict[str, Any]) -> Any:
    from qiskit.result import Result

    return Result.from_dict(obj["data"])


def _decode_noise_model(obj: dict[str, Any]) -> Any:
    return noise_model_from_data(obj["data"])


def _decode_primitive_result(obj: dict[str, Any]) -> Any:
    from qiskit.primitives.containers import PrimitiveResult

    return PrimitiveResult(list(obj["pubs"]), metadata=dict(obj["metadata"]))


def _decode_pub_result(obj: dict[str, Any]) -> Any:
    from qiskit.primitives import containers

    kind = getattr(containers, obj[TYPE_KEY])
    return kind(obj["data"], metadata=dict(obj["metadata"]))


def _decode_data_bin(obj: dict[str, Any]) -> Any:
    from qiskit.primitives.containers import DataBin

    fields = {str(name): value for name, value in obj["fields"]}
    return DataBin(**fields, shape=tuple(int(n) for n in obj["shape"]))


def _decode_bit_array(obj: dict[str, Any]) -> Any:
    from qiskit.primitives.containers import BitArray

    return BitArray(obj["array"], int(obj["num_bits"]))


_DECODERS: Final[dict[str, Callable[[dict[str, Any]], Any]]] = {
    "complex": lambda obj: complex(float(obj["re"]), float(obj["im"])),
    "ndarray": _decode_array,
    "ndarray_object": _decode_object_array,
    "scalar": _decode_scalar,
    "tuple": lambda obj: tuple(obj["items"]),
    "dict": lambda obj: {key: value for key, value in obj["items"]},
    "bytes": lambda obj: _unb64(obj["data"]),
    "datetime": lambda obj: datetime.fromisoformat(str(obj["iso"])),
    "Statevector": _decode_state,
    "DensityMatrix": _decode_state,
    "Operator": _decode_operator,
    "SuperOp": _decode_operator,
    "Clifford": _decode_clifford,
    "StabilizerState": _decode_clifford,
    "Result": _decode_result,
    "NoiseModel": _decode_noise_model,
    "PrimitiveResult": _decode_primitive_result,
    "PubResult": _decode_pub_result,
    "SamplerPubResult": _decode_pub_result,
    "DataBin": _decode_data_bin,
    "BitArray": _decode_bit_array,
    "unstored": lambda obj: f"<unstored {obj['type']}: {obj['repr']}>",
}
