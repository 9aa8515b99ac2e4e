"""What the bundle side needs from an open data folder, as a Protocol: `Workspace` satisfies it.

A leaf module (it imports no service), so the bundle modules are typed without importing
`core.workspace`, which would close an import cycle (the workspace builds the bundle service).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.evidence import EvidenceStore
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.roles import Role
from thidua_desktop.core.units import UnitInfo


class BundleHost(Protocol):
    """The data folder the bundle side works in: its sessions, files, settings, plan and actor.

    `sessions` read; `write_sessions` are the one write-session mechanism (on SQLite they take the
    write lock at BEGIN, so two importers cannot interleave).
    """

    layout: DataLayout
    actor: str
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    @property
    def role(self) -> Role | None: ...

    def setting(self, key: str) -> Any: ...

    def campaign(self) -> CampaignInfo: ...

    def own_unit(self) -> UnitInfo | None: ...

    def evidence_store(self) -> EvidenceStore: ...

    def transaction(self) -> AbstractContextManager[Session]: ...
