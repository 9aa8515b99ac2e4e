"""The core must import without PySide6, so that it runs headless (CLI, CI, worker processes)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import thidua_desktop.core as core_package


def test_importing_every_core_module_leaves_pyside6_unimported() -> None:
    modules = [m.name for m in pkgutil.walk_packages(core_package.__path__, prefix="thidua_desktop.core.")]
    assert len(modules) >= 10
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
