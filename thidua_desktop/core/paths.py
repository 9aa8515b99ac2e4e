"""Where user data lives: the per-user data dir, overridable by `--data-dir` or THIDUA_DATA_DIR."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from thidua_desktop import APP_ID

DATA_DIR_ENV = "THIDUA_DATA_DIR"
DATABASE_URL_ENV = "THIDUA_DATABASE_URL"


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_ID, appauthor=False))


@dataclass(frozen=True)
class DataLayout:
    """The files of one data folder; the demo data set gets its own folder so it never touches real data."""

    root: Path

    @classmethod
    def resolve(cls, data_dir: Path | str | None = None, *, demo: bool = False) -> DataLayout:
        root = Path(data_dir).expanduser() if data_dir else default_data_dir()
        if demo:
            root = root / "demo"
        return cls(root.resolve())

    @property
    def database_file(self) -> Path:
        return self.root / "thidua.sqlite"

    @property
    def evidence_dir(self) -> Path:
        return self.root / "evidence"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def bundles_dir(self) -> Path:
        return self.root / "bundles"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def thumbnails_dir(self) -> Path:
        return self.root / "cache" / "thumbnails"

    def ensure(self) -> None:
        for folder in (self.root, self.evidence_dir, self.backups_dir, self.logs_dir):
            folder.mkdir(parents=True, exist_ok=True)

    def sqlite_url(self) -> str:
        return f"sqlite:///{self.database_file.as_posix()}"
