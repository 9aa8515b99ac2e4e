"""`thidua units list`: the unit master data."""

from __future__ import annotations

import argparse

from thidua_desktop.cli.common import add_workspace_arguments, open_workspace
from thidua_desktop.core.text import format_date


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("units", help="danh sách đơn vị")
    units_sub = parser.add_subparsers(dest="units_command", required=True, metavar="LỆNH")
    listing = units_sub.add_parser("list", help="liệt kê đơn vị")
    add_workspace_arguments(listing)
    listing.set_defaults(handler=run_list)


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        for unit in workspace.units().list():
            validity = f"{format_date(unit.valid_from) or '…'} – {format_date(unit.valid_to) or 'nay'}"
            print(f"{unit.code:<10} {unit.name:<55} {unit.kind_label:<24} {validity}")
    return 0
