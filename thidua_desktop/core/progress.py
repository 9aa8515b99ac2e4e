"""The one definition of how long work reports progress and hears Cancel.

Every long core function takes `progress: ProgressFn | None` and `cancel: CancelFn = never_cancelled`.
The GUI passes the task runner's callables (a progress dialog with Cancel), the CLI a printer, tests
nothing. Cancelling raises `errors.Cancelled`, and the function leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable

from thidua_desktop.core.errors import Cancelled

ProgressFn = Callable[[int, int], None]
"""Called with (done, total); total 0 means "unknown"."""

CancelFn = Callable[[], bool]
"""Returns True once the user asked to stop."""


def never_cancelled() -> bool:
    """The default `cancel`: work that nobody can stop (tests, the CLI without a terminal)."""
    return False


def no_progress(_done: int, _total: int) -> None:
    """The default `progress`: nobody is watching."""


def check_cancel(cancel: CancelFn) -> None:
    """Raise `Cancelled` when the user asked to stop; call between steps that leave no debris."""
    if cancel():
        raise Cancelled()


class StepCounter:
    """Counts steps of known total, reports each one and stops at Cancel: the loop of most long jobs."""

    def __init__(self, total: int, progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> None:
        self.total = total
        self.done = 0
        self._progress = progress or no_progress
        self._cancel = cancel
        self._progress(0, total)

    def step(self, amount: int = 1) -> None:
        """One more step is finished: report it, then stop if the user asked to."""
        self.done += amount
        self._progress(min(self.done, self.total) if self.total else self.done, self.total)
        check_cancel(self._cancel)

    def check(self) -> None:
        """Stop here if the user asked to, without counting a step."""
        check_cancel(self._cancel)
