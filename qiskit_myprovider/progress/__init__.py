"""Ready-made progress displays for waiting on jobs, built on `rich <https://rich.readthedocs.io>`_.

- :class:`ProgressBar`: a callback for :meth:`MyJob.wait_for_final_state
  <qiskit_myprovider.MyJob.wait_for_final_state>` that shows each job it is called for as a
  live line (state, queue position, elapsed time, a pulsing bar) in a terminal or a Jupyter
  notebook, and leaves a final line (✓ DONE, ✗ ERROR, ⊘ CANCELLED) when the job ends.
- :class:`JobsProgress`: one bar for many jobs (done / total, how many are queued, running
  or failed, elapsed time), with a :meth:`~JobsProgress.wait` that returns the moment the
  last job ends.
- :class:`LoggingCallback`: the same callback protocol, writing one log record per change
  of state instead of drawing.

All three work with any Qiskit ``JobV1`` (they use ``queue_position()`` and
``creation_date()`` where a job has them). A callback is only called while a job is not
final, so :class:`ProgressBar` and :class:`LoggingCallback` watch each job they are given
from a small daemon thread, to show or log its final state the moment it is reached.

In Jupyter, the live display needs ``ipywidgets`` (``pip install ipywidgets``, or the
``[notebook]`` extra); without it the final lines are printed when the jobs end.
"""

# One module per concept: bar, jobs and log hold the three public classes; they share watch
# (the watcher thread), facts (what is read from any JobV1), columns (the line's custom
# columns) and display (console, Jupyter detection, the rich Progress, formatting).
from qiskit_myprovider.progress.bar import ProgressBar
from qiskit_myprovider.progress.display import format_elapsed
from qiskit_myprovider.progress.jobs import JobsProgress
from qiskit_myprovider.progress.log import LoggingCallback

__all__ = ["JobsProgress", "LoggingCallback", "ProgressBar", "format_elapsed"]
