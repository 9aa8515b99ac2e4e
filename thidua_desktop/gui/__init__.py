"""The PySide6 GUI: a thin layer over `thidua_desktop.core`."""
