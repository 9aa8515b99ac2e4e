"""What a copy of the app is for: a unit that records and sends, or the department that receives.

A leaf module, so that the importer, the exporter and the workspace can all ask about the role without
importing each other.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    UNIT = "unit"  # a district office or department office that records and sends
    DEPARTMENT = "department"  # the Sở that receives, consolidates and awards


ROLE_LABELS = {Role.UNIT: "Đơn vị ghi nhận và gửi báo cáo", Role.DEPARTMENT: "Sở Tư pháp (tiếp nhận, tổng hợp)"}
