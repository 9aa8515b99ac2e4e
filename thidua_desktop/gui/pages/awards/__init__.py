"""Khen thưởng: the nominations of a review round, their editor, the dossier preview, printing and certificates.

Modules: `page` (the page: rounds, list, editing, status), `editor` (one nomination's content),
`votes_tab` (the council's vote), `dossier_tab` (preview, print, save), `preview` (the PDF view),
`table` (the nomination list), `dialogs` (round, ranking), `calibration` (blank certificate forms).
"""

from thidua_desktop.gui import messages
from thidua_desktop.gui.pages.awards.calibration import CalibrationDialog
from thidua_desktop.gui.pages.awards.dialogs import RankingDialog, RoundDialog
from thidua_desktop.gui.pages.awards.page import AwardsPage, QMessageBox

__all__ = ["AwardsPage", "CalibrationDialog", "QMessageBox", "RankingDialog", "RoundDialog", "messages"]
