"""Issue 11's trust stories end to end in the core: the stolen laptop, a cascade, a fork, a huge seq,
a spoofed name, a copied fingerprint, a typo in the unit code, and verify = import's verdict.

Every refusal leaves the department byte-identical (`refused`, `state`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from thidua_desktop.core.bundles import keys as bundle_keys
from thidua_desktop.core.bundles.chain import HoldReason
from thidua_desktop.core.bundles.errors import (
    AuthorityError,
    EquivocationError,
    RevokedKeyError,
    RollbackError,
    TrustRegistryError,
    UntrustedKeyError,
)
from thidua_desktop.core.bundles.importer import ImportStatus, import_bundle, prepare_import, verify_bundle
from thidua_desktop.core.bundles.keys import keyring_of, replace_lost_key, rotate_key
from thidua_desktop.core.bundles.minisign import SecretKey
from thidua_desktop.core.bundles.trust import enrol_key
from thidua_desktop.core.models import Activity, AuditEntry
from thidua_desktop.core.workspace import Workspace

from .conftest import PASSPHRASE, Unit, enrol, make_unit, pdf_bytes, refused, resign, state

THIEF_PASSPHRASE = "cụm mật khẩu của kẻ gian"
FRESH_PASSPHRASE = "cụm mật khẩu khóa mới hoàn toàn"


def _titles(ws: Workspace) -> set[str]:
    with ws.sessions() as session:
        return set(session.scalars(select(Activity.title).where(Activity.deleted_at.is_(None))))


def _audit(ws: Workspace, action: str) -> list[str]:
    with ws.sessions() as session:
        return list(session.scalars(select(AuditEntry.entity_key).where(AuditEntry.action == action)))


def _clone(unit: Unit, root: Path) -> Unit:
    """A copy of the unit's data folder (a stolen or shared laptop), with its passphrase."""
    unit.workspace.engine.dispose()
    shutil.copytree(unit.workspace.layout.root, root / "data")
    (root / "files").mkdir(parents=True)
    (root / "outbox").mkdir()
    return Unit(Workspace.open(root / "data", actor="kẻ gian"), unit.key, root / "files")


@pytest.fixture
def enrolled(unit: Unit, department: Workspace) -> Unit:
    unit.add("Gói 1 của đơn vị")
    enrol(department, unit)
    assert import_bundle(department, unit.export().path).status is ImportStatus.NEW
    return unit


# --- 1. rotation needs the department's eyes -----------------------------------------------------


def test_thief_rotation_is_held_and_the_genuine_unit_keeps_sending(enrolled: Unit, department: Workspace,
                                                                   tmp_path: Path) -> None:
    unit = enrolled
    thief = _clone(unit, tmp_path / "thief")
    thief.key = rotate_key(thief.workspace, PASSPHRASE, THIEF_PASSPHRASE, THIEF_PASSPHRASE)
    thief.add("Hoạt động giả mạo")
    report = import_bundle(department, _export(thief, THIEF_PASSPHRASE))
    assert report.status is ImportStatus.HELD and "Hoạt động giả mạo" not in _titles(department)
    [held] = department.bundles().holds()
    assert held.reason is HoldReason.PENDING_KEY and held.unit_name == "Phòng Tư pháp huyện Chợ Mới"
    # the real key stays valid: the genuine unit's next bundle is applied as usual
    unit.add("Gói 2 thật")
    assert import_bundle(department, unit.export().path).status is ImportStatus.NEW
    assert "Gói 2 thật" in _titles(department)
    # the unit did not rotate: the department revokes the stolen key; the pending key falls with it
    revoke = department.bundles().revoke(unit.key.key_id, 3, "Máy của đơn vị bị lấy cắp")
    assert revoke.cascaded_key_ids == (thief.key.key_id,)
    assert [(a.seq, a.held) for a in revoke.affected] == [(2, True)]
    assert department.bundles().holds() == []
    # the unit enrols afresh from a new paper sheet and carries on
    unit.key = replace_lost_key(unit.workspace, FRESH_PASSPHRASE, FRESH_PASSPHRASE)
    enrol_key(department, "PTP-CM", unit.key.public_key.file_text(), typed_fingerprint=unit.key.fingerprint)
    unit.add("Gói 3 bằng khóa mới")
    assert import_bundle(department, _export(unit, FRESH_PASSPHRASE)).status is ImportStatus.NEW
    # whatever the thief sends next is refused, and changes nothing
    thief.add("Giả mạo lần nữa")
    refused(department, _export(thief, THIEF_PASSPHRASE), RevokedKeyError, "revoked")


def test_honest_rotation_needs_the_new_sheet(enrolled: Unit, department: Workspace) -> None:
    unit = enrolled
    old = unit.key
    unit.key = rotate_key(unit.workspace, PASSPHRASE, FRESH_PASSPHRASE, FRESH_PASSPHRASE)
    unit.add("Sau khi thay khóa", attach=[pdf_bytes(7)])  # shipped by the first held bundle only
    first = _export(unit, FRESH_PASSPHRASE)
    assert import_bundle(department, first).status is ImportStatus.HELD
    unit.add("Gói thứ hai bằng khóa mới")  # a delta bundle: lists that file without shipping it
    second = _export(unit, FRESH_PASSPHRASE)
    assert import_bundle(department, second).status is ImportStatus.HELD
    assert import_bundle(department, second).status is ImportStatus.HELD  # held once, not twice
    assert [h.seq for h in department.bundles().holds()] == [2, 3]
    before = state(department)
    with pytest.raises(TrustRegistryError):  # a fingerprint copied from elsewhere does not confirm it
        department.bundles().confirm_key(unit.key.key_id, typed_fingerprint=old.fingerprint)
    assert state(department) == before
    report, outcomes = department.bundles().confirm_key(unit.key.key_id, typed_fingerprint=unit.key.fingerprint)
    assert report.retired_key_ids == (old.key_id,) and report.from_seq == 2
    assert [o.report.status for o in outcomes] == [ImportStatus.NEW, ImportStatus.NEW]
    assert {"Sau khi thay khóa", "Gói thứ hai bằng khóa mới"} <= _titles(department)
    assert department.bundles().holds() == []
    assert not (department.layout.bundles_dir / "held" / "PTP-CM" / "KH-78-STP-2023").exists() or not any(
        (department.layout.bundles_dir / "held" / "PTP-CM" / "KH-78-STP-2023").iterdir())


def _export(unit: Unit, passphrase: str) -> Path:
    from thidua_desktop.core.bundles.exporter import export_bundle

    return export_bundle(unit.workspace, unit.files.parent / "outbox", passphrase=passphrase).path


# --- 2. revocation cascades ----------------------------------------------------------------------


def test_revocation_cascades_to_keys_endorsed_after_it(enrolled: Unit, department: Workspace) -> None:
    unit = enrolled
    k1 = unit.key
    passphrase = PASSPHRASE
    chain = []
    for index, new_passphrase in enumerate(("khóa thứ hai của đơn vị", "khóa thứ ba của đơn vị")):
        unit.key = rotate_key(unit.workspace, passphrase, new_passphrase, new_passphrase)
        passphrase = new_passphrase
        unit.add(f"Sau lần thay khóa {index + 1}")
        assert import_bundle(department, _export(unit, passphrase)).status is ImportStatus.HELD
        department.bundles().confirm_key(unit.key.key_id, typed_fingerprint=unit.key.fingerprint)
        chain.append(unit.key.key_id)
    report = department.bundles().revoke(k1.key_id, 2, "Lộ khóa")
    assert report.cascaded_key_ids == tuple(chain)
    assert [(a.seq, a.key_id, a.rotation) for a in report.affected] == [(2, chain[0], True), (3, chain[1], True)]
    assert report.already_imported == (2, 3)
    unit.add("Gói 4")
    refused(department, _export(unit, passphrase), RevokedKeyError, "revoked")


# --- 3. a fork freezes the chain -----------------------------------------------------------------


def _twin(signer: Unit, source: Path, target: Path, **changes: object) -> Path:
    def mutate(manifest: dict) -> None:
        manifest.update(changes)

    return resign(source, target, signer, mutate, keep_signer=True)


def test_fork_then_next_bundle_is_held_until_staff_choose(enrolled: Unit, department: Workspace,
                                                         tmp_path: Path) -> None:
    unit = enrolled
    thief = _clone(unit, tmp_path / "thief")
    thief.add("Nhánh giả")
    forged_1 = _export(thief, PASSPHRASE)  # seq 2 from the stolen key
    thief.add("Nhánh giả, gói sau")
    forged_2 = _export(thief, PASSPHRASE)  # seq 3, previous = forged seq 2
    unit.add("Nhánh thật")
    genuine_2 = unit.export().path
    assert import_bundle(department, genuine_2).status is ImportStatus.NEW
    assert import_bundle(department, forged_1).status is ImportStatus.HELD  # same seq 2: fork, frozen
    before = _titles(department)
    assert import_bundle(department, forged_2).status is ImportStatus.HELD  # N+1 of the other branch: held
    unit.add("Gói 3 thật")
    genuine_3 = unit.export().path
    assert import_bundle(department, genuine_3).status is ImportStatus.HELD  # frozen: even the genuine one
    assert _titles(department) == before
    assert [h.reason for h in department.bundles().holds()] == [HoldReason.FORK, HoldReason.FROZEN,
                                                                 HoldReason.FROZEN]
    outcomes = department.bundles().choose_branch("PTP-CM", None, "Đã gọi điện: đơn vị không gửi nhánh kia")
    assert [o.report.status for o in outcomes] == [ImportStatus.NEW]
    assert "Gói 3 thật" in _titles(department) and "Nhánh giả" not in _titles(department)
    assert department.bundles().freezes() == [] and department.bundles().holds() == []
    assert _audit(department, "choose-branch") == ["PTP-CM"]
    # both branches stay on disk; the rejected branch is refused from now on, changing nothing
    held_files = sorted(p.name for p in (department.layout.bundles_dir / "held").rglob("*.thidua"))
    assert len(held_files) == 2
    refused(department, forged_2, EquivocationError, "rejected-branch")


def test_choosing_the_held_branch_supersedes_the_received_one(enrolled: Unit, department: Workspace,
                                                             tmp_path: Path) -> None:
    unit = enrolled
    thief = _clone(unit, tmp_path / "thief")
    thief.add("Nhánh giả")
    assert import_bundle(department, _export(thief, PASSPHRASE)).status is ImportStatus.NEW  # thief first
    unit.add("Nhánh thật")
    genuine = unit.export().path
    assert import_bundle(department, genuine).status is ImportStatus.HELD
    [hold] = department.bundles().holds()
    outcomes = department.bundles().choose_branch("PTP-CM", hold.id, "Đơn vị xác nhận nhánh thật")
    assert [o.report.status for o in outcomes] == [ImportStatus.NEW]
    titles = _titles(department)
    assert "Nhánh thật" in titles and "Nhánh giả" not in titles
    history = {(i.seq, any("Đã loại khỏi chuỗi" in w for w in i.warnings)) for i in department.bundles().imports()}
    assert history == {(1, False), (2, True), (2, False)}  # both branches' seq 2 stay in the history
    unit.add("Gói 3")
    assert import_bundle(department, unit.export().path).status is ImportStatus.NEW


def test_held_changes_of_a_rejected_branch_are_never_applied(enrolled: Unit, department: Workspace,
                                                             tmp_path: Path) -> None:
    """A change of the thief's branch waiting behind a review lock leaves with its branch."""
    from thidua_desktop.core.query import Period

    unit = enrolled
    review = department.review()
    review.lock_period(review.unit_id("PTP-CM"), Period.year(2024), note="Biên bản số 3",
                       allow_open_queries=True)
    thief = _clone(unit, tmp_path / "thief")
    thief.add("Nhánh giả trong năm đã duyệt")
    assert import_bundle(department, _export(thief, PASSPHRASE)).status is ImportStatus.NEW
    assert [p.title for p in department.bundles().pending()] == ["Nhánh giả trong năm đã duyệt"]
    unit.add("Nhánh thật")
    assert import_bundle(department, unit.export().path).status is ImportStatus.HELD
    [hold] = department.bundles().holds()
    department.bundles().choose_branch("PTP-CM", hold.id, "Đơn vị xác nhận nhánh thật")
    assert [p.title for p in department.bundles().pending()] == ["Nhánh thật"]  # the genuine change waits too
    review.unlock_period(review.unit_id("PTP-CM"), Period.year(2024), "Đơn vị bổ sung", apply_freed=True)
    titles = _titles(department)
    assert "Nhánh thật" in titles and "Nhánh giả trong năm đã duyệt" not in titles


# --- 4. sequence numbers are bounded -------------------------------------------------------------


def test_seq_2_63_is_held_and_cannot_lock_the_unit_out(enrolled: Unit, department: Workspace,
                                                       tmp_path: Path) -> None:
    unit = enrolled
    unit.add("Gói 2")
    normal = unit.export().path
    huge = _twin(unit, normal, tmp_path / "huge.thidua", seq=2**63 - 1)
    report = import_bundle(department, huge)
    assert report.status is ImportStatus.HELD
    [held] = department.bundles().holds()
    assert held.reason is HoldReason.SEQ_JUMP and held.seq == 2**63 - 1
    assert import_bundle(department, normal).status is ImportStatus.NEW  # the genuine chain goes on
    unit.add("Gói 3")
    assert import_bundle(department, unit.export().path).status is ImportStatus.NEW


def test_a_jump_is_applied_only_after_staff_approve_it(enrolled: Unit, department: Workspace, tmp_path: Path) -> None:
    department.set_settings(bundle_max_seq_jump=5)
    unit = enrolled
    unit.add("Gói xa")
    far = _twin(unit, unit.export().path, tmp_path / "far.thidua", seq=40)
    assert import_bundle(department, far).status is ImportStatus.HELD
    [held] = department.bundles().holds()
    outcomes = department.bundles().approve_holds([held.id], "Đã gọi điện xác minh")
    assert [o.report.status for o in outcomes] == [ImportStatus.NEW] and "Gói xa" in _titles(department)


def test_reset_sequence_after_revoking_a_thiefs_numbers(enrolled: Unit, department: Workspace,
                                                       tmp_path: Path) -> None:
    unit = enrolled
    thief = _clone(unit, tmp_path / "thief")
    thief.add("Giả mạo")
    forged = _twin(thief, _export(thief, PASSPHRASE), tmp_path / "forged.thidua", seq=900)
    assert import_bundle(department, forged).status is ImportStatus.NEW  # within the allowed jump
    with pytest.raises(TrustRegistryError):  # not before the key is revoked
        department.bundles().reset_sequence("PTP-CM", 1, "Số của kẻ gian")
    department.bundles().revoke(unit.key.key_id, 2, "Máy bị lấy cắp")
    reset = department.bundles().reset_sequence("PTP-CM", 1, "Số của kẻ gian")
    assert reset.superseded == (900,)
    assert "reset-sequence" in [a for a in _actions(department)]
    unit.key = replace_lost_key(unit.workspace, FRESH_PASSPHRASE, FRESH_PASSPHRASE)
    enrol_key(department, "PTP-CM", unit.key.public_key.file_text(), typed_fingerprint=unit.key.fingerprint)
    unit.add("Gói 2 thật")
    assert import_bundle(department, _export(unit, FRESH_PASSPHRASE)).status is ImportStatus.NEW
    titles = _titles(department)
    assert "Gói 2 thật" in titles and "Giả mạo" not in titles


def _actions(ws: Workspace) -> list[str]:
    with ws.sessions() as session:
        return list(session.scalars(select(AuditEntry.action)))


# --- 5. names come from the registry -------------------------------------------------------------


def test_a_spoofed_unit_name_is_a_warning_never_the_headline(enrolled: Unit, department: Workspace,
                                                            tmp_path: Path) -> None:
    unit = enrolled
    unit.add("Gói 2")
    spoof = _twin(unit, unit.export().path, tmp_path / "spoof.thidua",
                  unit={"code": "PTP-CM", "name": "Phòng Tư pháp thành phố Long Xuyên"})
    verified = verify_bundle(department, spoof)
    prepared = prepare_import(department, spoof, dry_run=True)
    prepared.discard()
    report = import_bundle(department, spoof)
    for title, warnings in ((verified.summary.title, verified.warnings), (prepared.preview.summary.title,
                            prepared.preview.warnings), (report.summary.title, report.warnings)):
        assert "Chợ Mới" in title and "Long Xuyên" not in title
        assert any("Long Xuyên" in w for w in warnings)
    assert "Long Xuyên" not in report.message.split("\n")[0].split(":")[0]


# --- 6. enrolment only from the paper ------------------------------------------------------------


def test_enrolment_with_a_copied_fingerprint_is_refused(unit: Unit, department: Workspace, tmp_path: Path) -> None:
    genuine = unit.key  # printed on the unit's paper sheet
    thief = make_unit(tmp_path / "thief")
    thief.add("Giả mạo")
    bundle = thief.export().path
    error = refused(department, bundle, UntrustedKeyError, "unknown-key")
    assert thief.key.fingerprint not in error.message + error.hint
    before = state(department)
    with pytest.raises(TrustRegistryError):  # the attacker's key with the fingerprint typed from the real sheet
        department.bundles().enrol("PTP-CM", department.bundles().opening(bundle).public_key,
                                   typed_fingerprint=genuine.fingerprint)
    assert state(department) == before
    thief.workspace.close()


def test_pub_file_names_its_unit_and_a_typo_can_be_undone(unit: Unit, department: Workspace, tmp_path: Path) -> None:
    other = make_unit(tmp_path / "lx", "PTP-LX")
    enrol(department, other)
    pub = unit.workspace.bundles().public_key_file_text(unit.key)
    assert "unit=PTP-CM" in pub
    before = state(department)
    with pytest.raises(TrustRegistryError) as wrong:
        department.bundles().enrol("PTP-LX", pub, typed_fingerprint=unit.key.fingerprint)
    assert "PTP-CM" in wrong.value.message
    assert state(department) == before
    qr = f"thidua-key:1;unit=PTP-CM;key={unit.key.public_key.to_base64()}"
    with pytest.raises(TrustRegistryError):
        department.bundles().enrol("PTP-LX", qr, confirmed=True)
    # a bare key line carries no unit: the typo goes through, retiring PTP-LX's key …
    typo = department.bundles().enrol("PTP-LX", unit.key.public_key.to_base64(), typed_fingerprint=unit.key.fingerprint)
    assert typo.retired_key_ids == (other.key.key_id,)
    # … and is undone while nothing was received under it: PTP-LX's key is back
    undone = department.bundles().unenrol(unit.key.key_id, "Nhập nhầm mã đơn vị")
    assert undone.restored_key_ids == (other.key.key_id,)
    other.add("Long Xuyên vẫn gửi được")
    assert import_bundle(department, other.export().path).status is ImportStatus.NEW
    department.bundles().enrol("PTP-CM", qr, confirmed=True)
    unit.add("Chợ Mới")
    assert import_bundle(department, unit.export().path).status is ImportStatus.NEW
    with pytest.raises(TrustRegistryError):  # received under it: revoke, not undo
        department.bundles().unenrol(unit.key.key_id, "x")
    other.workspace.close()


def test_revoking_frees_a_key_enrolled_under_the_wrong_unit(unit: Unit, department: Workspace, tmp_path: Path) -> None:
    other = make_unit(tmp_path / "lx", "PTP-LX")
    department.bundles().enrol("PTP-LX", unit.key.public_key.to_base64(), confirmed=True)
    with pytest.raises(TrustRegistryError):
        department.bundles().enrol("PTP-CM", unit.key.public_key.to_base64(), confirmed=True)
    department.bundles().revoke(unit.key.key_id, 1, "Đăng ký nhầm đơn vị")
    report = department.bundles().enrol("PTP-CM", unit.key.public_key.to_base64(), confirmed=True)
    assert not report.already_enrolled
    unit.add("Gói 1")
    assert import_bundle(department, unit.export().path).status is ImportStatus.NEW
    other.workspace.close()


# --- 7. verify gives import's verdict ------------------------------------------------------------


@pytest.mark.parametrize("case", ["rollback", "foreign-uuid", "frozen", "pending", "ok"])
def test_verify_and_dry_run_and_import_agree(case: str, enrolled: Unit, department: Workspace,
                                            tmp_path: Path) -> None:
    unit = enrolled
    first = unit.workspace.bundles().export_history()[0]
    target = _case_file(case, unit, department, tmp_path, Path(first.file_path))
    verdicts = []
    for run in (lambda: verify_bundle(department, target).status,
                lambda: _dry_run_status(department, target),
                lambda: import_bundle(department, target).status):
        try:
            verdicts.append(run())
        except (RollbackError, AuthorityError) as error:
            verdicts.append(type(error))
    assert verdicts[0] == verdicts[1] == verdicts[2], verdicts
    assert verdicts[0] == EXPECTED[case]


EXPECTED = {"rollback": RollbackError, "foreign-uuid": AuthorityError, "frozen": ImportStatus.HELD,
            "pending": ImportStatus.HELD, "ok": ImportStatus.NEW}


def _dry_run_status(department: Workspace, path: Path) -> ImportStatus:
    prepared = prepare_import(department, path, dry_run=True)
    prepared.discard()
    return prepared.preview.status


def _case_file(case: str, unit: Unit, department: Workspace, tmp_path: Path, first: Path) -> Path:
    unit.add("Gói 2")
    second = unit.export().path
    if case == "rollback":
        unit.add("Gói 3")
        import_bundle(department, unit.export().path)
        return second
    if case == "foreign-uuid":
        other = make_unit(tmp_path / "lx", "PTP-LX")
        enrol(department, other)
        with department.sessions() as session:
            taken = session.scalars(select(Activity.uuid)).first()

        def steal(manifest: dict) -> None:
            manifest["records"][0]["uuid"] = taken
            manifest["records"].sort(key=lambda r: r["uuid"])
        other.add("Ghi đè")
        return resign(other.export().path, tmp_path / "steal.thidua", other, steal, keep_signer=True)
    if case == "frozen":
        import_bundle(department, _twin(unit, second, tmp_path / "twin.thidua", bundle_id="0" * 8 + "-0000-4000-8000-"
                                        + "0" * 12))
        return second
    if case == "pending":
        unit.key = rotate_key(unit.workspace, PASSPHRASE, FRESH_PASSPHRASE, FRESH_PASSPHRASE)
        return _export(unit, FRESH_PASSPHRASE)
    return second


# --- 9. key files --------------------------------------------------------------------------------


def test_key_files_cost_at_least_2_17_and_old_ones_are_upgraded(unit: Unit, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring = keyring_of(unit.workspace)
    path = keyring.folder / f"{unit.key.key_id}.key"
    cheap = bundle_keys.file_cost(path.read_text(encoding="utf-8"))
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "opslimit", 2**22)
    monkeypatch.setitem(bundle_keys.KDF_LIMITS, "memlimit", 2**27)
    keyring.unlock(unit.key, PASSPHRASE)  # an old, cheaper file is re-encrypted on unlock
    assert cheap < 17 and bundle_keys.file_cost(path.read_text(encoding="utf-8")) == 17
    assert SecretKey.decrypt_file_text(path.read_text(encoding="utf-8"), PASSPHRASE).public_key == unit.key.public_key


def test_retired_secret_keys_are_removed_after_confirmation(unit: Unit) -> None:
    old = unit.key
    unit.key = rotate_key(unit.workspace, PASSPHRASE, FRESH_PASSPHRASE, FRESH_PASSPHRASE)
    service = unit.workspace.bundles()
    assert [k.key_id for k in service.retired_secret_keys()] == [old.key_id]
    removed = service.remove_retired_secret_keys()
    assert [k.key_id for k in removed] == [old.key_id]
    folder = keyring_of(unit.workspace).folder
    assert not (folder / f"{old.key_id}.key").exists() and (folder / f"{old.key_id}.pub").exists()
    assert (folder / f"{unit.key.key_id}.key").exists() and service.retired_secret_keys() == []
    unit.add("Sau khi xóa khóa cũ")
    assert _export(unit, FRESH_PASSPHRASE).exists()
