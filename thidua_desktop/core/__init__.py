"""The Qt-free core: domain, storage, campaign catalogue and services.

Nothing under this package may import PySide6; a test enforces it so that the
core runs headless in the CLI, in CI and in worker threads.
"""
