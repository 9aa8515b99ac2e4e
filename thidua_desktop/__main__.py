from thidua_desktop.gui.app import main

raise SystemExit(main())
