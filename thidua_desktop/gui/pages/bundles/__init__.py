"""Gửi/Nhận gói dữ liệu, split by side: `page` (the page and a double-clicked file), `unit_side` (key and
export), `department` (import, registry, pending changes), `dialogs` (every dialog and `Prompts`)."""

from thidua_desktop.gui.pages.bundles.dialogs import (
    EnrolDialog,
    PassphraseDialog,
    PreviewDialog,
    Prompts,
    RevokeDialog,
    SummaryDialog,
)
from thidua_desktop.gui.pages.bundles.page import BundlesPage, open_bundle_file

__all__ = [
    "BundlesPage", "EnrolDialog", "PassphraseDialog", "PreviewDialog", "Prompts", "RevokeDialog", "SummaryDialog",
    "open_bundle_file",
]
