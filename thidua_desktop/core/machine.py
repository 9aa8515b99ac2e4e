"""What belongs to this machine, not to the (possibly shared) database: where the database is, who works here.

On a shared department every reviewer's settings table is the same rows, so a reviewer's own name and the
address of the department's database are kept in the data folder (`machine.json`) instead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.text import nfc

MACHINE_FILE = "machine.json"


@dataclass(frozen=True)
class MachineSettings:
    database_url: str | None = None  # remembered by `thidua setup --database-url`; None: the local SQLite file
    reviewer_name: str | None = None  # the name written to the audit log for work done on this machine


def load_machine(root: Path) -> MachineSettings:
    """The folder's machine settings; an unreadable file counts as none (the defaults still work)."""
    try:
        data = json.loads((root / MACHINE_FILE).read_text(encoding="utf-8"))
        return MachineSettings(data.get("database_url") or None, data.get("reviewer_name") or None)
    except (OSError, ValueError, AttributeError):
        return MachineSettings()


def save_machine(root: Path, settings: MachineSettings) -> None:
    root.mkdir(parents=True, exist_ok=True)
    clean = MachineSettings(settings.database_url, nfc(settings.reviewer_name.strip()) if settings.reviewer_name else None)
    with atomic_write(root / MACHINE_FILE, "w", encoding="utf-8") as out:
        out.write(json.dumps(asdict(clean), ensure_ascii=False, indent=2))
