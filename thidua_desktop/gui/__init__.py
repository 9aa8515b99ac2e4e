"""The PySide6 GUI: a thin layer over `thidua_desktop.core`."""

from thidua_desktop.gui.qt_workarounds import install as _install_qt_workarounds

_install_qt_workarounds()  # before any widget emits a signal: see qt_workarounds
