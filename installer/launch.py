"""Entry script of the frozen build: the same `main` as the `thidua-desktop` console script."""

from thidua_desktop.gui.app import main

raise SystemExit(main())
