"""Imports every module that declares tables, so `Base.metadata` holds the whole schema.

A feature package with tables of its own adds one import line here.
"""

from thidua_desktop.core import models
from thidua_desktop.core.awards import models as award_models
from thidua_desktop.core.bundles import models as bundle_models
from thidua_desktop.core.consolidation import models as consolidation_models

__all__ = ["award_models", "bundle_models", "consolidation_models", "models"]
