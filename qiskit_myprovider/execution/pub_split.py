"""Splitting a primitive task across workers, and joining its pieces' outputs back.

A primitive job's task (see :mod:`qiskit_myprovider.execution.pubs`) is a run of segments,
rows of parameter values of its PUBs. :func:`split_part` cuts it into pieces of about the
same rows, cutting a PUB where it must: each piece keeps the seeds its rows have in the
whole (Aer seeds row ``r`` of a call ``seed + SEED_STRIDE * r``), so the pieces draw exactly
what the whole draws, and :func:`merge_outputs` of their outputs is the whole's output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from qiskit_myprovider.execution.pubs import PartOutput, PrimitivePart, Segment, segment_seed

if TYPE_CHECKING:
    from qiskit_myprovider.execution.base import SimulationTask

__all__ = ["merge_outputs", "split_part", "split_segments"]


def split_segments(segments: list[Segment], parts: int) -> list[list[Segment]]:
    """Cut ``segments`` into ``parts`` runs of rows as even as can be (fewer if rows are few).

    A segment cut at row ``r`` keeps its seeds: the second piece starts with the seed Aer
    gives row ``r`` of the original call, so the split draws what the whole would.
    """
    total = sum(s.rows for s in segments)
    parts = max(1, min(parts, total))
    if parts == 1:
        return [list(segments)]
    empty = [s for s in segments if s.rows == 0]  # nothing to run: they ride with the first
    segments = [s for s in segments if s.rows > 0]
    sizes = [total // parts + (1 if n < total % parts else 0) for n in range(parts)]
    cut: list[list[Segment]] = []
    pending = list(segments)
    for size in sizes:
        piece: list[Segment] = []
        while size:
            segment = pending.pop(0)
            if segment.rows > size:
                segment, rest = _cut(segment, size)
                pending.insert(0, rest)
            piece.append(segment)
            size -= segment.rows
        cut.append(piece)
    cut[0] = empty + cut[0]
    return cut


def _cut(segment: Segment, rows: int) -> tuple[Segment, Segment]:
    middle = segment.start + rows
    head = replace(segment, stop=middle, values=segment.values[:rows])
    tail = replace(
        segment,
        start=middle,
        values=segment.values[rows:],
        seed=segment_seed(segment.seed, rows),
    )
    return head, tail


def split_part(task: SimulationTask, parts: int) -> list[SimulationTask]:
    """Cut a primitive task into at most ``parts`` tasks of about the same rows.

    Each piece carries only the circuits its segments use, and a share of the cost; seeds
    are kept (see :func:`split_segments`), so :func:`merge_outputs` of the pieces' outputs
    assembles into exactly what the whole gives.
    """
    part = task.primitive
    if part is None:
        raise ValueError(f"task of job {task.job_id} has no primitive part")
    pieces = split_segments(list(part.segments), parts)
    if len(pieces) == 1:
        return [task]
    total = max(sum(s.rows for s in part.segments), 1)
    tasks = []
    for piece in pieces:
        used = sorted({s.circuit for s in piece})
        position = {index: n for n, index in enumerate(used)}
        tasks.append(
            replace(
                task,
                circuits=tuple(task.circuits[index] for index in used),
                primitive=PrimitivePart(
                    part.kind, tuple(replace(s, circuit=position[s.circuit]) for s in piece)
                ),
                cost=task.cost * sum(s.rows for s in piece) / total,
            )
        )
    return tasks


def merge_outputs(outputs: Sequence[PartOutput]) -> PartOutput:
    """The outputs of a split task's pieces as the one output of the whole."""
    merged = PartOutput(tuple(s for o in outputs for s in o.segments))
    for output in outputs:
        merged.arrays.extend(output.arrays)
        merged.metadata.extend(output.metadata)
    return merged
