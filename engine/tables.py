"""What the labs export as CSV: trajectories of a race, losses and layer statistics of a
network comparison. Floats are written by ``repr`` so they read back to the last bit, and
every file is written atomically (:func:`engine.atomic.write_atomically`).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.atomic import write_atomically
from engine.metrics import RUN_METRIC_COLUMNS, run_metrics
from engine.nn.stats import LayerStats

__all__ = [
    "LAYER_COLUMNS",
    "LOSS_COLUMNS",
    "RESULTS_COLUMNS",
    "TRAJECTORY_COLUMNS",
    "LossLog",
    "layer_rows",
    "loss_rows",
    "results_path",
    "results_rows",
    "trajectory_rows",
    "write_csv",
]

TRAJECTORY_COLUMNS = ("step", "run", "label", "x", "y", "loss", "grad_norm", "status")
# The runs table: one row per run, its standing and :func:`engine.metrics.run_metrics`.
RESULTS_COLUMNS = ("run", "label", "status", "event_step", "step", "loss", *RUN_METRIC_COLUMNS)
LOSS_COLUMNS = ("step", "column", "label", "train_loss", "val_loss", "train_acc", "val_acc")
# Every scalar field of a layer's statistics, in the dataclass's order (arrays left out).
LAYER_COLUMNS = (
    "step",
    "column",
    "label",
    *(f.name for f in dataclasses.fields(LayerStats) if f.type in ("str", "int", "float")),
)


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``header`` and ``rows`` to ``path`` atomically (floats by ``repr``).

    Raises OSError if the file cannot be written (an existing file is then untouched).
    """

    def fill(fh) -> None:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([repr(float(v)) if isinstance(v, float) else v for v in row])

    write_atomically(path, fill, newline="")


def trajectory_rows(snap, labels: Sequence[str] | None = None) -> list[tuple]:
    """One row per recorded point of every run of a :class:`~engine.runs.RaceSnapshot`.

    ``run`` counts from 1 as in the run table; ``status`` is the run's status at that step
    (``"running"`` before its convergence or divergence step). ``labels`` (one per run)
    replace the snapshot's own, so the file names runs as the screen does.
    """
    labels = snap.labels if labels is None else labels
    rows = []
    for i, hist in enumerate(snap.histories):
        final, event = snap.status[i], snap.event_step[i]
        for k in range(len(hist)):
            step = int(hist.steps[k])
            status = final if event is not None and step >= event else "running"
            rows.append(
                (
                    step,
                    i + 1,
                    labels[i],
                    float(hist.xy[k, 0]),
                    float(hist.xy[k, 1]),
                    float(hist.loss[k]),
                    float(hist.grad_norm[k]),
                    status,
                )
            )
    return rows


def results_path(path: str | Path) -> Path:
    """The runs table beside a trajectories file: ``race.csv`` -> ``race-results.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-results{path.suffix or '.csv'}")


def results_rows(
    snap, landscape, labels: Sequence[str] | None = None, tol: float = 1e-2
) -> list[tuple]:
    """One row per run of a :class:`~engine.runs.RaceSnapshot`, in :data:`RESULTS_COLUMNS`.

    ``event_step`` is the step a run converged, diverged or left at (blank while running);
    the metric cells are :meth:`engine.metrics.RunMetrics.as_row` (blank for none).
    ``tol`` is the distance to a listed minimum that counts as reached.
    """
    labels = snap.labels if labels is None else labels
    rows = []
    for i, hist in enumerate(snap.histories):
        m = run_metrics(hist, landscape, tol, snap.status[i], snap.event_step[i])
        event = snap.event_step[i]
        rows.append(
            (
                i + 1,
                labels[i],
                snap.status[i],
                "" if event is None else int(event),
                int(snap.step),
                float(snap.losses[i]),
                *m.as_row(),
            )
        )
    return rows


class LossLog:
    """Every booked ``(step, train_loss, val_loss, train_acc, val_acc)`` per column.

    Grows by doubling (no per-point allocation); a column restarted alone is cleared.

    Parameters
    ----------
    n_columns : int
    """

    def __init__(self, n_columns: int) -> None:
        self._data = [np.empty((64, 5)) for _ in range(n_columns)]
        self._n = [0] * n_columns

    def append(self, i: int, step: int, values: Sequence[float]) -> None:
        n = self._n[i]
        buf = self._data[i]
        if n == len(buf):
            buf = self._data[i] = np.concatenate([buf, np.empty_like(buf)])
        buf[n, 0] = step
        buf[n, 1:] = values
        self._n[i] = n + 1

    def clear(self, i: int) -> None:
        self._n[i] = 0

    def column(self, i: int) -> np.ndarray:
        """Column ``i``'s points, shape (n, 5): step, then the four values."""
        return self._data[i][: self._n[i]]

    def __len__(self) -> int:
        return len(self._data)


def loss_rows(log: LossLog, labels: Sequence[str]) -> list[tuple]:
    """One row per booked point of every column (column counts from 1)."""
    rows = []
    for i in range(len(log)):
        for r in log.column(i):
            rows.append((int(r[0]), i + 1, labels[i], *(float(v) for v in r[1:])))
    return rows


def layer_rows(pictures: Sequence[Any], labels: Sequence[str]) -> list[tuple]:
    """One row per layer of each column's picture (a ColumnSnapshot with layers, or None)."""
    names = LAYER_COLUMNS[3:]
    rows = []
    for i, pic in enumerate(pictures):
        if pic is None:
            continue
        for layer in pic.layers:
            values = [getattr(layer, n) for n in names]
            rows.append(
                (
                    int(pic.step),
                    i + 1,
                    labels[i],
                    *(float(v) if isinstance(v, float) else v for v in values),
                )
            )
    return rows
