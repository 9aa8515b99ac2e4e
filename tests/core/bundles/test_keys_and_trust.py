"""Keys at the unit (create, rotate, forgot passphrase) and the department's trust registry."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.errors import (
    NoKeyError,
    RevokedKeyError,
    TrustRegistryError,
    UntrustedKeyError,
    WrongPassphraseError,
)
from thidua_desktop.core.bundles.exporter import export_bundle
from thidua_desktop.core.bundles.guards import ChangeKind
from thidua_desktop.core.bundles.importer import ImportStatus, import_bundle
from thidua_desktop.core.bundles.keys import current_key, keyring_of, replace_lost_key, rotate_key
from thidua_desktop.core.bundles.minisign import (
    MinisignError,
    PublicKey,
    SecretKey,
    Signature,
    format_key_id,
    parse_key_id,
    scrypt_params,
)
from thidua_desktop.core.bundles.revocation import revoke_key
from thidua_desktop.core.bundles.trust import enrol_key, list_trusted_keys
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.models import AuditEntry
from thidua_desktop.core.workspace import Role, Workspace

from .conftest import PASSPHRASE, Unit, enrol, read_entries, refused

NEW_PASSPHRASE = "khóa mới của đơn vị"


def _audit(ws: Workspace, entity: str) -> list[tuple[str, str]]:
    with ws.sessions() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.entity_key).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).all()
    return [(a, k) for a, k in rows]


def test_secret_key_is_encrypted_at_rest_and_needs_the_passphrase(unit: Unit) -> None:
    key_file = unit.workspace.layout.keys_dir / f"{unit.key.key_id}.key"
    text = key_file.read_text(encoding="utf-8")
    assert text.startswith("untrusted comment: ") and "PRIVATE" not in text
    assert key_file.stat().st_mode & 0o077 == 0
    with pytest.raises(WrongPassphraseError) as wrong:
        keyring_of(unit.workspace).unlock(unit.key, "sai mật khẩu")
    assert "Quên cụm mật khẩu" in wrong.value.hint
    secret = keyring_of(unit.workspace).unlock(unit.key, PASSPHRASE)
    assert secret.public_key == unit.key.public_key
    with pytest.raises(WrongPassphraseError):
        export_bundle(unit.workspace, None, passphrase="sai mật khẩu")
    assert _audit(unit.workspace, "signing_key") == [("key-create", unit.key.key_id)]


def test_passphrase_rules_and_single_key(unit: Unit) -> None:
    from thidua_desktop.core.bundles.keys import create_key

    with pytest.raises(ValidationError) as short:
        rotate_key(unit.workspace, PASSPHRASE, "ngắn", "ngắn")
    assert "8 ký tự" in str(short.value)
    with pytest.raises(ValidationError) as differ:
        replace_lost_key(unit.workspace, NEW_PASSPHRASE, NEW_PASSPHRASE + "x")
    assert "không giống nhau" in str(differ.value)
    with pytest.raises(ValidationError):
        create_key(unit.workspace, NEW_PASSPHRASE, NEW_PASSPHRASE)  # already has one


def test_no_key_yet(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "fresh", actor="x")
    ws.configure(Role.UNIT, "PTP-AP")
    with pytest.raises(NoKeyError) as missing:
        current_key(ws)
    assert "thidua keys init" in missing.value.hint
    ws.close()


def test_rotation_is_accepted_once_the_new_sheet_is_checked(unit: Unit, department: Workspace) -> None:
    unit.add("Trước khi thay khóa")
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    old = unit.key
    new = rotate_key(unit.workspace, PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    assert new.key_id != old.key_id and new.origin == "rotated"
    unit.key = new
    unit.add("Sau khi thay khóa")
    bundle = export_bundle(unit.workspace, None, passphrase=NEW_PASSPHRASE)
    manifest = json.loads(dict(read_entries(bundle.path))["manifest.json"])
    assert [r["statement"]["old_key_id"] for r in manifest["signer"]["rotation"]] == [old.key_id]
    report = import_bundle(department, bundle.path)
    assert report.status is ImportStatus.HELD and report.counts[ChangeKind.NEW] == 0
    assert any("thay khóa" in n for n in report.notices)
    with department.sessions() as session:
        keys = {k.key_id: k for k in list_trusted_keys(session)}
    assert keys[new.key_id].method == "rotation" and keys[new.key_id].endorsed_by_key_id == old.key_id
    assert keys[new.key_id].pending and keys[old.key_id].revoked_from_seq is None
    _, outcomes = department.bundles().confirm_key(new.key_id, typed_fingerprint=new.fingerprint)
    assert [o.report.status for o in outcomes] == [ImportStatus.NEW]
    with department.sessions() as session:
        keys = {k.key_id: k for k in list_trusted_keys(session)}
    assert keys[old.key_id].revoked_from_seq == 2 and not keys[new.key_id].pending
    assert ("pending", new.key_id) in _audit(department, "trusted_key")
    assert ("confirm", new.key_id) in _audit(department, "trusted_key")
    assert ("revoke", old.key_id) in _audit(department, "trusted_key")


def test_forgotten_passphrase_needs_a_new_enrolment(unit: Unit, department: Workspace) -> None:
    unit.add("Gói 1")
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    lost = unit.key
    unit.key = replace_lost_key(unit.workspace, NEW_PASSPHRASE, NEW_PASSPHRASE)
    assert unit.key.origin == "replaced" and keyring_of(unit.workspace).endorsements() == []
    unit.add("Gói 2")
    bundle = export_bundle(unit.workspace, None, passphrase=NEW_PASSPHRASE).path
    refused(department, bundle, UntrustedKeyError, "unknown-key")
    report = enrol_key(department, "PTP-CM", unit.key.public_key.file_text(), typed_fingerprint=unit.key.fingerprint)
    assert report.retired_key_ids == (lost.key_id,)
    assert import_bundle(department, bundle).counts
    # the lost key can no longer sign anything new
    with department.sessions() as session:
        old = next(k for k in list_trusted_keys(session) if k.key_id == lost.key_id)
    assert old.revoked_from_seq == 2 and "đăng ký lại" in (old.revoke_reason or "")


def test_enrolment_requires_the_fingerprint(unit: Unit, department: Workspace) -> None:
    public = unit.key.public_key.to_base64()
    with pytest.raises(TrustRegistryError) as mismatch:
        enrol_key(department, "PTP-CM", public, typed_fingerprint="0000 1111 2222 3333 4444 5555 6666 7777")
    assert unit.key.fingerprint not in mismatch.value.hint and "phiếu đăng ký" in mismatch.value.hint
    with pytest.raises(TrustRegistryError):
        enrol_key(department, "PTP-CM", public)  # neither typed nor confirmed
    with pytest.raises(TrustRegistryError):
        enrol_key(department, "KHONG-CO", public, confirmed=True)
    with pytest.raises(TrustRegistryError):
        enrol_key(department, "PTP-CM", "RWQ-không-phải-khóa", confirmed=True)
    first = enrol_key(department, "PTP-CM", public, typed_fingerprint=unit.key.fingerprint.replace(" ", "").lower())
    assert not first.already_enrolled
    assert enrol_key(department, "PTP-CM", public, confirmed=True).already_enrolled
    with pytest.raises(TrustRegistryError) as taken:
        enrol_key(department, "PTP-LX", public, confirmed=True)
    assert "Phòng Tư pháp huyện Chợ Mới" in taken.value.message
    assert _audit(department, "trusted_key") == [("enrol", unit.key.key_id)]


def test_revocation_lists_bundles_already_received_and_other_campaigns(unit: Unit, department: Workspace) -> None:
    enrol(department, unit)
    for index in range(3):
        unit.add(f"Gói {index + 1}")
        import_bundle(department, unit.export().path)
    report = revoke_key(department, unit.key.key_id, 2, "Nghi lộ khóa")
    assert report.already_imported == (2, 3)
    with pytest.raises(TrustRegistryError):
        revoke_key(department, unit.key.key_id, 0, "x")
    with pytest.raises(TrustRegistryError):
        revoke_key(department, "0000000000000000", 1, "x")
    unit.add("Gói 4")
    refused(department, unit.export().path, RevokedKeyError, "revoked")


# --- the minisign encoding ----------------------------------------------------------------------


def test_minisign_encoding_round_trips_and_parses_strictly() -> None:
    secret = SecretKey.generate()
    public = secret.public_key
    assert PublicKey.from_text(public.file_text()) == public == PublicKey.from_base64(public.to_base64())
    assert parse_key_id(public.key_id_hex) == public.key_id and format_key_id(public.key_id) == public.key_id_hex
    assert len(public.fingerprint.split()) == 8
    signature = secret.sign(b"noi dung", "trusted", "untrusted")
    parsed = Signature.parse(signature.text().encode())
    public.verify(b"noi dung", parsed)
    with pytest.raises(MinisignError) as bad:
        public.verify(b"noi dunG", parsed)
    assert bad.value.kind == "bad-signature"
    text = signature.text()
    for broken in (text + "\n", text.replace("\n", "\r\n"), text.replace("trusted comment: ", "trusted comment:", 1)):
        with pytest.raises(MinisignError):
            Signature.parse(broken.encode())
    assert scrypt_params(2**21, 2**27) == (16, 8, 1)  # our default cost
    assert scrypt_params(33554432, 1073741824) == (20, 8, 1)  # minisign's own default (libsodium "sensitive")


def test_canonical_json_rules() -> None:
    assert canonical.encode({"b": 1, "a": ["x", None, True]}) == b'{"a":["x",null,true],"b":1}'
    assert canonical.encode({"t": "Hòa"}) == '{"t":"Hòa"}'.encode()
    for bad in (b'{"a":1,"a":2}', b'{"a":1.5}', b'{"a":NaN}', b'{"b":1,"a":2}', b'{"a": 1}', b'\xef\xbb\xbf{}',
                '{"a":"Ho\u0300a"}'.encode(), b'{"a":99999999999999999999}', b'{"a":"\\u00e0"}'):
        with pytest.raises(canonical.CanonicalError):
            canonical.decode(bad)
    with pytest.raises(canonical.CanonicalError):
        canonical.encode({"a": 0.5})


@pytest.mark.skipif(shutil.which("minisign") is None, reason="minisign is not installed (CI installs it)")
def test_stock_minisign_verifies_a_bundle_and_signs_with_our_key(unit: Unit, tmp_path: Path) -> None:
    unit.add("Kiểm tra bằng minisign")
    bundle = unit.export().path
    entries = dict(read_entries(bundle))
    (tmp_path / "manifest.json").write_bytes(entries["manifest.json"])
    (tmp_path / "manifest.json.minisig").write_bytes(entries["manifest.json.minisig"])
    result = subprocess.run(
        ["minisign", "-Vm", str(tmp_path / "manifest.json"), "-x", str(tmp_path / "manifest.json.minisig"),
         "-P", unit.key.public_key.to_base64()],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Signature and comment signature verified" in result.stdout
    assert "unit:PTP-CM seq:1" in result.stdout
    (tmp_path / "manifest.json").write_bytes(entries["manifest.json"].replace(b"minisign", b"Minisign"))
    tampered = subprocess.run(
        ["minisign", "-Vm", str(tmp_path / "manifest.json"), "-x", str(tmp_path / "manifest.json.minisig"),
         "-P", unit.key.public_key.to_base64()], capture_output=True, text=True, check=False,
    )
    assert tampered.returncode != 0
    # and minisign can sign with our encrypted secret key file (same scrypt parameters)
    message = tmp_path / "note.txt"
    message.write_text("xin chao", encoding="utf-8")
    key_file = unit.workspace.layout.keys_dir / f"{unit.key.key_id}.key"
    signed = subprocess.run(["minisign", "-S", "-s", str(key_file), "-m", str(message)],
                            input=PASSPHRASE + "\n", capture_output=True, text=True, check=False)
    assert signed.returncode == 0, signed.stdout + signed.stderr
    unit.key.public_key.verify(message.read_bytes(), Signature.parse(Path(f"{message}.minisig").read_bytes()))
