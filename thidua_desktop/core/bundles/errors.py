"""Why a bundle or key operation was refused: one class (and CLI exit code) per failure class.

Every message says who, what and what to do, in Vietnamese; the GUI and the CLI show the same text.
`reason` is a short stable code, so tests and callers can tell refusals of one class apart.
"""

from __future__ import annotations

from thidua_desktop.core.errors import UserError


class BundleError(UserError):
    """Base of every refusal of a bundle file; nothing was changed when it is raised."""

    exit_code = 20

    def __init__(self, message: str, *, hint: str = "", reason: str = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class BundleFormatError(BundleError):
    """Not a bundle, truncated, damaged in transit, or not in the canonical layout."""

    exit_code = 21


class BundleUnsafeError(BundleError):
    """A hostile archive: unsafe paths, links, bombs, too many or too large entries."""

    exit_code = 22


class BundleVersionError(BundleError):
    """Made by a newer program (a format version this one does not know)."""

    exit_code = 23


class EntrySetError(BundleError):
    """The archive's entries differ from the list in the manifest (added, missing or renamed)."""

    exit_code = 24


class SignatureError(BundleError):
    """The signature is missing, malformed, or does not match the manifest bytes."""

    exit_code = 25


class UntrustedKeyError(BundleError):
    """Signed by a key the department has not enrolled."""

    exit_code = 26

    def __init__(self, message: str, *, hint: str = "", reason: str = "", key_id: str = "",
                 public_key: str = "", unit_code: str = "") -> None:
        super().__init__(message, hint=hint, reason=reason)
        self.key_id = key_id
        self.public_key = public_key
        self.unit_code = unit_code


class RevokedKeyError(BundleError):
    """Signed by a key revoked for this sequence number."""

    exit_code = 27


class AuthorityError(BundleError):
    """A key signing for another unit, or a record claiming another unit."""

    exit_code = 28


class EvidenceMismatchError(BundleError):
    """An evidence file's bytes do not match the hash or size in the manifest."""

    exit_code = 29


class MissingEvidenceError(BundleError):
    """A delta bundle refers to evidence the department does not have; `missing` lists what to resend."""

    exit_code = 30

    def __init__(self, message: str, *, hint: str = "", missing: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message, hint=hint, reason="missing-evidence")
        self.missing = missing


class RollbackError(BundleError):
    """Older than a bundle already received: importing it would roll data back."""

    exit_code = 31


class EquivocationError(BundleError):
    """The same sequence number with different content: flagged for follow-up."""

    exit_code = 32


class CampaignMismatchError(BundleError):
    """The bundle's campaign, criteria or indicators are unknown here, or its records are invalid."""

    exit_code = 33


class RoleError(UserError):
    """The operation belongs to the other role (export at a unit, import at the department)."""

    exit_code = 34


class SigningKeyError(UserError):
    """Base of problems with the unit's own signing key."""

    exit_code = 35


class NoKeyError(SigningKeyError):
    exit_code = 36


class WrongPassphraseError(SigningKeyError):
    exit_code = 37


class KeyFileError(SigningKeyError):
    """A key file that cannot be read (damaged, or not a minisign key)."""

    exit_code = 38


class TrustRegistryError(UserError):
    """Enrolment or revocation refused (fingerprint not confirmed, unknown unit or key)."""

    exit_code = 39


class ExportDestinationError(UserError):
    exit_code = 41


class ExportEvidenceError(UserError):
    """An evidence file to be shipped is missing or altered in this unit's own store."""

    exit_code = 40
