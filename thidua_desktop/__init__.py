"""ThiĐua Desktop: offline recording and consolidation of emulation-movement results."""

__version__ = "0.1.0"
APP_NAME = "ThiĐua Desktop"
APP_ID = "thidua-desktop"
