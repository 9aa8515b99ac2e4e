"""Work around a reference-count bug of PySide6 6.12.0: `SignalInstance.emit()` returns `True` without
taking a reference to it.

Every Python `emit` (a task's progress, a keystroke in a validated field, `context.announce`) then drops
one reference to the `True` singleton. On Python 3.11, where `True` is not immortal, a few hundred emits
later `True` is freed and the process aborts ("bool_dealloc") or, on Windows, the heap is corrupted and the
GUI thread hangs wherever it happens to be — typically closing the progress dialog after a long export
that emitted many progress steps (issue 12, story 9).

`install()` measures the leak once and, only if this PySide6 has it, wraps `emit` so that every call gives
back the reference it took. A PySide6 without the bug (6.11, a fixed 6.12.x, or any Python ≥ 3.12 where
`True` is immortal) is left untouched.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 64
_installed = False


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true() -> bool:
    """True when `emit` loses a reference to `True` (measured with a private, unconnected signal)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:  # the probe itself must not leave `True` poorer
        _give_back(True, lost)
    return lost >= _PROBES // 2


def _give_back(value: Any, count: int = 1) -> None:
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


def install() -> bool:
    """Patch `SignalInstance.emit` once if this PySide6 needs it; returns whether it is patched."""
    global _installed
    if _installed:
        return True
    if not emit_leaks_true():
        return False
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:  # the reference PySide6 forgot to take
            _give_back(result)
        return result

    original_connect = SignalInstance.connect

    def connect(self: SignalInstance, slot: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(slot, "__func__", None) is emit:  # `a.connect(b.emit)`: forward signal to signal, as before
            slot = slot.__self__
        return original_connect(self, slot, *args, **kwargs)

    SignalInstance.emit = emit
    SignalInstance.connect = connect
    _installed = True
    return True
