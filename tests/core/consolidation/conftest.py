"""A department workspace (SQLite, and PostgreSQL when THIDUA_TEST_PG_URL is set) with the sample data."""

from __future__ import annotations

import pytest

from tests.core.consolidation.sample import Sample, populate
from thidua_desktop.core.workspace import Workspace


@pytest.fixture
def sample(workspace: Workspace) -> Sample:
    return populate(workspace)
