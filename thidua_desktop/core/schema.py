"""Imports every module that declares tables, so `Base.metadata` holds the whole schema.

A feature package with tables of its own adds one import line here.
"""

from thidua_desktop.core import models

__all__ = ["models"]
