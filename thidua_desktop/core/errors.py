"""Errors a user can cause, each with a Vietnamese message that says what happened and what to do."""

from __future__ import annotations


class UserError(Exception):
    """An error to show to the user as is; `exit_code` lets the CLI tell failure classes apart."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class Cancelled(Exception):
    """Raised by long operations when the user pressed Cancel; not an error to report."""


class CampaignFileError(UserError):
    exit_code = 3


class DatabaseVersionError(UserError):
    exit_code = 4


class ValidationError(UserError):
    """A record failed validation; `problems` maps a field name to its Vietnamese message."""

    exit_code = 5

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        lines = "\n".join(f"- {msg}" for msg in self.problems.values())
        super().__init__(f"Dữ liệu chưa hợp lệ:\n{lines}", hint="Vui lòng sửa các mục trên rồi lưu lại.")


class NotFoundError(UserError):
    exit_code = 6
