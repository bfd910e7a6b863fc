"""What the host did meanwhile: CPU time the hypervisor took (steal) during a measurement.

These machines are shared virtual machines. When the hypervisor runs other guests on our
cores, a thread that was running (the GUI painting a frame, or the worker holding the GIL)
simply stops for a while, and frame rates and event-loop lags move with it while the
program's own CPU cost per frame does not. The benchmarks print the steal share next to
their figures so runs on a busy host can be told apart.
"""

from __future__ import annotations

import psutil


class StealMeter:
    """Share of all CPU time that was stolen between :meth:`start` and :meth:`stop`."""

    def __init__(self) -> None:
        self._t0 = None
        self.percent = float("nan")

    @staticmethod
    def _times() -> tuple[float, float]:
        t = psutil.cpu_times()
        return float(getattr(t, "steal", float("nan"))), float(sum(t))

    def start(self) -> None:
        self._t0 = self._times()

    def stop(self) -> float:
        steal1, total1 = self._times()
        steal0, total0 = self._t0
        self.percent = 100.0 * (steal1 - steal0) / max(total1 - total0, 1e-9)
        return self.percent
