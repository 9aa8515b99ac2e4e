"""The unit's own signing key, kept in the data folder's `keys/` (never in the database).

`keyring.json` says which key is current and lists earlier ones; each key is a minisign secret key file
(`<KEYID>.key`, encrypted with the passphrase through scrypt) and public key file (`<KEYID>.pub`).

- create: the first key of this machine (setup, or the Bundles page).
- rotate: a new key, announced by a statement signed with the old key; bundles carry that statement,
  so the department accepts the new key without a new enrolment sheet.
- replace (forgot passphrase): a new key with no link to the old one; it must be enrolled again.
- remove retired secret keys (after the user confirms): only their public halves stay.

Secret key files use scrypt N = 2^17 (r = 8, p = 1: 128 MiB), recorded in the file's opslimit and
memlimit as minisign does; a file written with a lower cost is re-encrypted at the next unlock.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from thidua_desktop.core import audit
from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.errors import KeyFileError, NoKeyError, WrongPassphraseError
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.manifest import (
    ROTATION_FORMAT,
    ROTATION_SIGNATURE_COMMENT,
    format_timestamp,
    parse_timestamp,
    validate_rotation_statement,
)
from thidua_desktop.core.bundles.minisign import (
    MinisignError,
    PublicKey,
    SecretKey,
    scrypt_params,
)
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.fileio import atomic_write
from thidua_desktop.core.models import utc_now
from thidua_desktop.core.text import nfc

KEYRING_FILE = "keyring.json"
KEYRING_FORMAT = "thidua-keyring/1"
MIN_PASSPHRASE = 8
# scrypt cost of new keys: libsodium's parameter choice turns these into N = 2^17, r = 8, p = 1
# (128 MiB, about 0.4 s), which stock minisign still reads. Tests lower it (read at call time).
KDF_LIMITS = {"opslimit": 2**22, "memlimit": 2**27}


@dataclass(frozen=True)
class OwnKey:
    """One of this unit's keys as listed in the keyring (no secret material)."""

    key_id: str
    public_key: PublicKey
    unit_code: str
    created_at: datetime
    origin: str  # created | rotated | replaced
    retired_at: datetime | None
    secret_removed: bool = False

    @property
    def fingerprint(self) -> str:
        return self.public_key.fingerprint


def check_passphrase(passphrase: str, confirmation: str | None = None) -> None:
    problems: dict[str, str] = {}
    if len(passphrase) < MIN_PASSPHRASE:
        problems["passphrase"] = f"Cụm mật khẩu cần ít nhất {MIN_PASSPHRASE} ký tự."
    elif passphrase.strip() != passphrase:
        problems["passphrase"] = "Cụm mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách."
    if confirmation is not None and confirmation != passphrase:
        problems["confirmation"] = "Hai lần nhập cụm mật khẩu không giống nhau."
    if problems:
        raise ValidationError(problems)


class Keyring:
    """The key folder of one data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def index_path(self) -> Path:
        return self.folder / KEYRING_FILE

    def _read(self) -> dict[str, Any]:
        if not self.index_path.exists():
            return {"format": KEYRING_FORMAT, "current": None, "keys": []}
        try:
            data = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise _damaged(self.index_path) from None
        if not isinstance(data, dict) or data.get("format") != KEYRING_FORMAT:
            raise _damaged(self.index_path)
        return data

    def _write(self, data: dict[str, Any]) -> None:
        with atomic_write(self.index_path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)

    def list_keys(self) -> list[OwnKey]:
        result = []
        for item in self._read()["keys"]:
            try:
                public = PublicKey.from_base64(item["public_key"])
                result.append(
                    OwnKey(item["key_id"], public, item["unit"], parse_timestamp(item["created_at"]), item["origin"],
                           parse_timestamp(item["retired_at"]) if item.get("retired_at") else None,
                           bool(item.get("secret_removed")))
                )
            except (KeyError, ValueError, MinisignError):
                raise _damaged(self.index_path) from None
        return result

    def current(self, unit_code: str | None = None) -> OwnKey | None:
        """The key bundles are signed with; None if there is none (or it belongs to another unit)."""
        current_id = self._read().get("current")
        for key in self.list_keys():
            if key.key_id == current_id and (unit_code is None or key.unit_code == unit_code):
                return key
        return None

    def endorsements(self) -> list[dict[str, Any]]:
        """The rotation statements that link the current key back to the last enrolled one."""
        return list(self._read().get("endorsements", []))

    def unlock(self, key: OwnKey, passphrase: str) -> SecretKey:
        path = self.folder / f"{key.key_id}.key"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise KeyFileError(
                f"Không đọc được tệp khóa bí mật {path.name}.",
                hint="Tệp khóa có thể đã bị xóa. Hãy dùng “Quên cụm mật khẩu” để tạo khóa mới và đăng ký lại với Sở.",
            ) from None
        try:
            secret = SecretKey.decrypt_file_text(text, passphrase)
        except MinisignError as exc:
            if exc.kind == "wrong-passphrase":
                raise WrongPassphraseError(
                    "Cụm mật khẩu của khóa ký không đúng.",
                    hint="Hãy nhập lại (chú ý bộ gõ tiếng Việt và phím Caps Lock). Nếu đã quên, "
                    "chọn “Quên cụm mật khẩu” để tạo khóa mới và đăng ký lại với Sở Tư pháp.",
                ) from None
            raise KeyFileError(f"Tệp khóa bí mật {path.name} bị hỏng: {exc}.", hint=_REPLACE_HINT) from None
        if secret.public_key != key.public_key:
            raise KeyFileError(f"Tệp khóa bí mật {path.name} không khớp với khóa công khai đã ghi.", hint=_REPLACE_HINT)
        if file_cost(text) < scrypt_params(KDF_LIMITS["opslimit"], KDF_LIMITS["memlimit"])[0]:
            self._write_secret(secret, passphrase, key.unit_code)  # an older, cheaper file: upgraded now
        return secret

    def _write_secret(self, secret: SecretKey, passphrase: str, unit_code: str) -> None:
        key_id = secret.public_key.key_id_hex
        secret_path = self.folder / f"{key_id}.key"
        with atomic_write(secret_path, "w", encoding="utf-8") as handle:
            handle.write(secret.encrypted_file_text(passphrase, f"ThiDua secret key {key_id} ({unit_code})", **KDF_LIMITS))
        if os.name == "posix":
            os.chmod(secret_path, 0o600)

    def retired_secrets(self) -> list[OwnKey]:
        """Retired keys whose secret file is still on disk."""
        return [k for k in self.list_keys() if k.retired_at is not None and (self.folder / f"{k.key_id}.key").exists()]

    def remove_retired_secrets(self) -> list[OwnKey]:
        """Delete the secret files of retired keys (the caller asked the user first); public halves stay."""
        removed = self.retired_secrets()
        data = self._read()
        for key in removed:
            path = self.folder / f"{key.key_id}.key"
            size = path.stat().st_size
            with path.open("r+b") as handle:  # overwrite first: a plain unlink leaves the bytes on disk
                handle.write(b"\0" * size)
                handle.flush()
                os.fsync(handle.fileno())
            path.unlink()
            for item in data["keys"]:
                if item["key_id"] == key.key_id:
                    item["secret_removed"] = True
        if removed:
            self._write(data)
        return removed

    def _store(self, secret: SecretKey, passphrase: str, unit_code: str, origin: str,
               endorsement: dict[str, Any] | None) -> OwnKey:
        self.folder.mkdir(parents=True, exist_ok=True)
        public = secret.public_key
        key_id = public.key_id_hex
        self._write_secret(secret, passphrase, unit_code)
        with atomic_write(self.folder / f"{key_id}.pub", "w", encoding="utf-8") as handle:
            handle.write(public_key_file_text(public, unit_code))
        data = self._read()
        now = utc_now()
        for item in data["keys"]:
            if item.get("retired_at") is None:
                item["retired_at"] = format_timestamp(now)
        data["keys"].append(
            {"key_id": key_id, "public_key": public.to_base64(), "unit": unit_code, "origin": origin,
             "created_at": format_timestamp(now), "retired_at": None}
        )
        data["endorsements"] = [*data.get("endorsements", []), endorsement] if endorsement else []
        data["current"] = key_id
        self._write(data)
        return self.current()  # type: ignore[return-value]

    def create(self, unit_code: str, passphrase: str, *, origin: str = "created") -> OwnKey:
        return self._store(SecretKey.generate(), nfc(passphrase), unit_code, origin, None)

    def rotate(self, unit_code: str, old_passphrase: str, new_passphrase: str) -> OwnKey:
        old = self.current(unit_code)
        if old is None:
            raise _no_key(unit_code)
        old_secret = self.unlock(old, nfc(old_passphrase))
        new_secret = SecretKey.generate()
        statement = {
            "type": ROTATION_FORMAT,
            "unit": unit_code,
            "old_key_id": old.key_id,
            "new_key_id": new_secret.public_key.key_id_hex,
            "new_public_key": new_secret.public_key.to_base64(),
            "created_at": format_timestamp(utc_now()),
        }
        validate_rotation_statement(statement)
        signature = old_secret.sign(
            canonical.encode(statement), rotation_trusted_comment(statement), ROTATION_SIGNATURE_COMMENT
        )
        return self._store(new_secret, nfc(new_passphrase), unit_code, "rotated",
                           {"statement": statement, "signature": signature.text()})


def file_cost(text: str) -> int:
    """log2 of scrypt's N recorded in a minisign secret key file (its opslimit and memlimit); 0 if unreadable."""
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        blob = base64.b64decode(lines[1], validate=True)
    except (IndexError, binascii.Error):
        return 0
    if len(blob) < 54:
        return 0
    return scrypt_params(int.from_bytes(blob[38:46], "little"), int.from_bytes(blob[46:54], "little"))[0]


def public_key_file_text(public: PublicKey, unit_code: str) -> str:
    """A unit's `.pub` file: minisign's format; its comment names the unit, which enrolment checks."""
    return public.file_text(f"thidua public key {public.key_id_hex} unit={unit_code}")


def rotation_trusted_comment(statement: dict[str, Any]) -> str:
    return f"{ROTATION_FORMAT} unit:{statement['unit']} old:{statement['old_key_id']} new:{statement['new_key_id']}"


_REPLACE_HINT = "Hãy dùng “Quên cụm mật khẩu” để tạo khóa mới, in phiếu đăng ký và gửi Sở Tư pháp đăng ký lại."


def _damaged(path: Path) -> KeyFileError:
    return KeyFileError(f"Tệp danh sách khóa {path} bị hỏng.", hint=_REPLACE_HINT)


def _no_key(unit_code: str) -> NoKeyError:
    return NoKeyError(
        f"Máy này chưa có khóa ký gói dữ liệu cho đơn vị {unit_code}.",
        hint="Vào “Gửi/Nhận gói dữ liệu” › “Tạo khóa”, hoặc chạy: thidua keys init. "
        "Sau đó in phiếu đăng ký khóa, ký, đóng dấu và gửi Sở Tư pháp.",
    )


# --- operations on a workspace (audit-logged) ----------------------------------------------------


def keyring_of(workspace: BundleHost) -> Keyring:
    return Keyring(workspace.layout.keys_dir)


def own_unit_code(workspace: BundleHost) -> str:
    code = workspace.setting("unit_code")
    if not code:
        raise NoKeyError("Máy này chưa chọn đơn vị.", hint="Hãy hoàn tất phần thiết lập ban đầu.")
    return code


def current_key(workspace: BundleHost) -> OwnKey:
    """The key to sign with, or NoKeyError saying how to make one."""
    unit_code = own_unit_code(workspace)
    key = keyring_of(workspace).current(unit_code)
    if key is None:
        raise _no_key(unit_code)
    return key


def _audit(workspace: BundleHost, action: str, key: OwnKey, extra: dict[str, Any] | None = None) -> None:
    with workspace.transaction() as session:
        audit.record(session, workspace.actor, action, "signing_key", key.key_id,
                     {"unit": key.unit_code, "fingerprint": key.fingerprint, **(extra or {})})


def create_key(workspace: BundleHost, passphrase: str, confirmation: str | None = None) -> OwnKey:
    """The unit's first key; refuses to replace an existing one silently."""
    check_passphrase(passphrase, confirmation)
    unit_code = own_unit_code(workspace)
    keyring = keyring_of(workspace)
    existing = keyring.current(unit_code)
    if existing is not None:
        raise ValidationError(
            {"key": f"Máy đã có khóa {existing.key_id}. Dùng “Thay khóa” hoặc “Quên cụm mật khẩu” để tạo khóa mới."}
        )
    key = keyring.create(unit_code, passphrase)
    _audit(workspace, "key-create", key)
    return key


def rotate_key(workspace: BundleHost, old_passphrase: str, new_passphrase: str, confirmation: str | None = None) -> OwnKey:
    check_passphrase(new_passphrase, confirmation)
    key = keyring_of(workspace).rotate(own_unit_code(workspace), old_passphrase, new_passphrase)
    _audit(workspace, "key-rotate", key)
    return key


def replace_lost_key(workspace: BundleHost, new_passphrase: str, confirmation: str | None = None) -> OwnKey:
    """Forgot passphrase: a fresh key, unlinked to the old one, to be enrolled again at the department."""
    check_passphrase(new_passphrase, confirmation)
    key = keyring_of(workspace).create(own_unit_code(workspace), new_passphrase, origin="replaced")
    _audit(workspace, "key-replace", key)
    return key


def remove_retired_keys(workspace: BundleHost) -> list[OwnKey]:
    """Delete retired secret key files (the caller asked the user to confirm); each removal is audited."""
    removed = keyring_of(workspace).remove_retired_secrets()
    for key in removed:
        _audit(workspace, "key-remove-secret", key)
    return removed
