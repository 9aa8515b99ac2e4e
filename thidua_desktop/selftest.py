"""`thidua-desktop --self-test`: a smoke run of an installed or frozen build, with nothing real touched.

It proves that the pieces a PyInstaller build can silently lose are really there: the resources
(fonts, campaign, icons), SQLite and the migrations, reportlab with the bundled Liberation fonts,
the Qt plugins (offscreen platform, image formats, QtPdf) and the bundle signing code. Everything runs
in a temporary data folder that is deleted afterwards; the user's own data is never opened.

Exit code 0 when every step passed or was skipped, 1 otherwise. The report is printed and also
written to the temp folder (a windowed Windows build has no console to print to).

`thidua-desktop --self-test TỆP.thidua` also checks that file the way a double-click hands it over
(signature with the key the bundle names, every hash): the Windows CI runs the command registered for
`.thidua` files this way, on a real bundle, and a tampered copy must make it exit 1.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from thidua_desktop import APP_NAME, __version__

REPORT_FILE_NAME = "thidua-desktop-tu-kiem-tra.txt"
BUNDLES_PACKAGE = "thidua_desktop.core.bundles"
BUNDLE_MODULES = ("keys", "exporter", "reader")
PDF_FONT = "LiberationSerif-Regular.ttf"
PDF_FONT_BOLD = "LiberationSerif-Bold.ttf"
SAMPLE_TEXT = "Ngành Tư pháp chung tay vì người nghèo – Không để ai bị bỏ lại phía sau"

OK, SKIPPED, FAILED = "đạt", "bỏ qua", "LỖI"


class Skip(Exception):
    """A step that cannot run in this build (its feature is not there yet); not a failure."""


@dataclass
class StepResult:
    title: str
    status: str
    detail: str
    seconds: float


@dataclass
class SelfTestContext:
    """What the steps hand on to each other: the temp folder, the open workspace, the PDF made."""

    root: Path
    workspace: object | None = None  # Workspace; typed loosely so this module imports no more than it must
    unit_code: str | None = None
    pdf_path: Path | None = None
    activity_uuid: str | None = None
    bundle_file: Path | None = None  # the file given on the command line, if any
    notes: list[str] = field(default_factory=list)


# --- steps ------------------------------------------------------------------------------------
def step_resources(ctx: SelfTestContext) -> str:
    from thidua_desktop.core.resources import resources_dir

    root = resources_dir()
    fonts = sorted(p.name for p in (root / "fonts").glob("*.ttf"))
    campaigns = sorted((root / "campaigns").glob("*.json"))
    icons = sorted((root / "icons").glob("thidua-desktop*"))
    missing = [name for name in (PDF_FONT, PDF_FONT_BOLD, "LiberationSans-Regular.ttf") if name not in fonts]
    if missing or not campaigns or not (root / "units").is_dir():
        raise RuntimeError(f"thiếu tài nguyên trong {root}: {', '.join(missing) or 'phong trào/đơn vị'}")
    return f"{root}: {len(fonts)} phông chữ, {len(campaigns)} tệp phong trào, {len(icons)} tệp biểu tượng"


def step_database(ctx: SelfTestContext) -> str:
    from thidua_desktop.core.models import UnitKind
    from thidua_desktop.core.workspace import Role, Workspace

    workspace = Workspace.open(ctx.root / "du-lieu", actor="tự kiểm tra")
    ctx.workspace = workspace
    report = workspace.open_report
    units = workspace.units().list()
    district = next(u for u in units if u.kind is UnitKind.DISTRICT_OFFICE)
    workspace.configure(Role.UNIT, district.code)
    ctx.unit_code = district.code
    with workspace.engine.connect() as conn:
        integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
    if integrity != "ok":
        raise RuntimeError(f"SQLite integrity_check: {integrity}")
    return (
        f"tạo cơ sở dữ liệu SQLite lược đồ {report.migration.to_version} ({workspace.layout.database_file.name}), "
        f"{len(units)} đơn vị; máy đóng vai {district.name}"
    )


def step_campaign(ctx: SelfTestContext) -> str:
    from thidua_desktop.core.activities import ActivityDraft

    workspace = _workspace(ctx)
    campaign = workspace.campaign()
    criterion = campaign.recordable_criteria()[0]
    indicator = campaign.entered_indicators_of(criterion.id)[0]
    draft = ActivityDraft(
        criterion_id=criterion.id,
        activity_date=max(campaign.starts_on, min(date.today(), campaign.ends_on)),
        title="Tự kiểm tra: tuyên truyền pháp luật cho hộ nghèo",
        commune="Xã Kiến An",
        values={indicator.id: 3},
    )
    change = workspace.activities().create(ctx.unit_code or "", draft)
    ctx.activity_uuid = change.created[0]
    stored = workspace.activities().get(ctx.activity_uuid)
    if stored.draft.title != draft.title or stored.draft.values != draft.values or stored.unit_code != ctx.unit_code:
        raise RuntimeError("hoạt động đọc lại không khớp với hoạt động vừa ghi")
    return (
        f"{campaign.display_name}: {len(campaign.criteria)} tiêu chí, {len(campaign.indicators)} chỉ tiêu; "
        f"ghi và đọc lại 1 hoạt động"
    )


def step_pdf(ctx: SelfTestContext) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from thidua_desktop.core.resources import font_path

    pdfmetrics.registerFont(TTFont("SelfTestSerif", str(font_path(PDF_FONT))))
    pdfmetrics.registerFont(TTFont("SelfTestSerif-Bold", str(font_path(PDF_FONT_BOLD))))
    path = ctx.root / "tu-kiem-tra.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    page.setTitle("ThiĐua Desktop — tự kiểm tra")
    width, height = A4
    page.setFont("SelfTestSerif-Bold", 16)
    page.drawCentredString(width / 2, height - 72, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    page.setFont("SelfTestSerif", 12)
    page.drawCentredString(width / 2, height - 92, "Độc lập – Tự do – Hạnh phúc")
    page.drawString(72, height - 140, SAMPLE_TEXT)
    page.drawString(72, height - 160, "Trang thử in của ThiĐua Desktop: ă â đ ê ô ơ ư — Ạ Ặ Ậ Ệ Ộ Ợ Ự Ỹ")
    page.rect(72, height - 260, width - 144, 80)
    page.showPage()
    page.save()
    ctx.pdf_path = path
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"LiberationSerif" not in data:
        raise RuntimeError("tệp PDF không hợp lệ hoặc không nhúng phông Liberation")
    return f"1 trang A4, {len(data) // 1024} KB, phông Liberation Serif nhúng sẵn"


def step_qt(ctx: SelfTestContext) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the self-test never shows a window
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QImageReader, QPainter
    from PySide6.QtWidgets import QApplication

    from thidua_desktop.gui.fonts import UI_FAMILY, register_fonts, ui_font

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "thidua-desktop"])
    families = register_fonts()
    if UI_FAMILY not in families:
        raise RuntimeError(f"không nạp được phông {UI_FAMILY} (có: {', '.join(families) or 'không có'})")
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    wanted = {"png", "jpeg", "ico", "gif", "svg", "webp"}
    if not wanted <= formats:
        raise RuntimeError(f"thiếu trình đọc ảnh Qt: {', '.join(sorted(wanted - formats))}")
    image = QImage(QSize(480, 60), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(ui_font(14))
    painter.drawText(10, 40, SAMPLE_TEXT)
    painter.end()
    if _ink(image) < 200:
        raise RuntimeError("vẽ chữ tiếng Việt không ra nét nào")
    return f"nền {app.platformName()}, phông {UI_FAMILY}, ảnh: {', '.join(sorted(wanted))}"


def step_qtpdf(ctx: SelfTestContext) -> str:
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    if ctx.pdf_path is None:
        raise Skip("chưa có tệp PDF (bước PDF không chạy)")
    document = QPdfDocument()
    error = document.load(str(ctx.pdf_path))
    if error != QPdfDocument.Error.None_ or document.pageCount() != 1:
        raise RuntimeError(f"QtPdf không mở được tệp PDF ({error}, {document.pageCount()} trang)")
    image = document.render(0, QSize(595, 842))
    ink = _ink(image)
    document.close()
    if ink < 500:
        raise RuntimeError("trang PDF hiển thị trắng trơn")
    return f"QtPdf mở và vẽ trang 1 ({image.width()}×{image.height()} điểm ảnh, {ink} điểm có nét)"


def step_bundle(ctx: SelfTestContext) -> str:
    """Create a signing key, export a tiny signed bundle and verify it, once the bundles feature is built in."""
    if importlib.util.find_spec(BUNDLES_PACKAGE) is None:
        raise Skip(f"bản này chưa có chức năng gói dữ liệu ({BUNDLES_PACKAGE})")
    missing = [m for m in BUNDLE_MODULES if importlib.util.find_spec(f"{BUNDLES_PACKAGE}.{m}") is None]
    if missing:
        raise Skip(f"chức năng gói dữ liệu chưa hoàn thiện trong bản này (chưa có {', '.join(missing)})")
    return _bundle_round_trip(ctx)


def _bundle_round_trip(ctx: SelfTestContext) -> str:
    """The unit side and the department side in one: key, signed export, then the reader's checks.

    A copy with one byte changed must be refused, so the step proves verification, not just reading.
    """
    exporter = importlib.import_module(f"{BUNDLES_PACKAGE}.exporter")
    keys = importlib.import_module(f"{BUNDLES_PACKAGE}.keys")
    reader = importlib.import_module(f"{BUNDLES_PACKAGE}.reader")
    errors = importlib.import_module(f"{BUNDLES_PACKAGE}.errors")
    minisign = importlib.import_module(f"{BUNDLES_PACKAGE}.minisign")
    needed = {exporter: ["export_bundle"], keys: ["create_key"], minisign: ["PublicKey"],
              reader: ["open_bundle", "parse_signature", "check_signature", "check_content", "scan"]}
    absent = [f"{m.__name__}.{name}" for m, names in needed.items() for name in names if not hasattr(m, name)]
    if absent:
        raise Skip(f"chức năng gói dữ liệu chưa có: {', '.join(absent)}")

    workspace = _workspace(ctx)
    passphrase = "tu-kiem-tra-" + secrets.token_hex(8)
    key = keys.create_key(workspace, passphrase, passphrase)
    outbox = ctx.root / "goi-du-lieu"
    outbox.mkdir()
    report = exporter.export_bundle(workspace, outbox, passphrase=passphrase, mode="full")
    campaign = workspace.campaign()
    with reader.open_bundle(report.path) as bundle:
        signature = reader.parse_signature(bundle)
        reader.check_signature(bundle, signature, minisign.PublicKey.from_base64(bundle.manifest.public_key))
        reader.check_content(bundle, campaign)
        reader.scan(bundle)
        records = len(bundle.manifest.records)
        # The signature itself: the same signature over a manifest changed by one byte must fail.
        forged = bytearray(bundle.manifest.raw)
        forged[forged.find(b"bundle_id")] ^= 0x01
        forged_bundle = dataclasses.replace(bundle, manifest=dataclasses.replace(bundle.manifest, raw=bytes(forged)))
        try:
            reader.check_signature(forged_bundle, signature, minisign.PublicKey.from_base64(bundle.manifest.public_key))
        except errors.SignatureError:
            pass
        else:
            raise RuntimeError("chữ ký vẫn hợp lệ với bảng kê đã bị sửa")
    if records != report.record_count or records < 1:
        raise RuntimeError(f"gói có {records} hoạt động, khác với lúc xuất ({report.record_count})")

    tampered = report.path.with_name("goi-bi-sua.thidua")
    data = bytearray(report.path.read_bytes())
    title = "Tự kiểm tra".encode()
    at = data.find(title)
    if at < 0:
        raise RuntimeError("không tìm thấy hoạt động tự kiểm tra trong gói vừa xuất")
    data[at] ^= 0x01  # "T" → "U": one byte of the signed manifest
    tampered.write_bytes(bytes(data))
    try:
        with reader.open_bundle(tampered) as bundle:
            reader.check_signature(bundle, reader.parse_signature(bundle),
                                   minisign.PublicKey.from_base64(bundle.manifest.public_key))
    except errors.BundleError as refusal:
        refused_as = type(refusal).__name__
    else:
        raise RuntimeError("gói bị sửa 1 byte vẫn được chấp nhận")
    return (
        f"tạo khóa ký {key.key_id}, xuất gói {report.path.name} ({report.record_count} hoạt động, "
        f"{report.file_size} byte), chữ ký và nội dung hợp lệ; bảng kê bị sửa: sai chữ ký; tệp bị sửa 1 byte: bị từ chối ({refused_as})"
    )


def step_open_file(ctx: SelfTestContext) -> str:
    """The bundle given on the command line, checked as `thidua bundle verify --public-key` does.

    The key is the one the bundle names (this temp workspace has no registry of trusted unit keys), so
    the step proves the file opens and is intact, signed and readable by this build; not who sent it.
    """
    path = ctx.bundle_file
    if path is None:
        raise Skip("không có tệp nào được chỉ định")
    if importlib.util.find_spec(f"{BUNDLES_PACKAGE}.importer") is None:
        raise Skip(f"bản này chưa có chức năng gói dữ liệu ({BUNDLES_PACKAGE})")
    if not path.is_file():
        raise RuntimeError(f"không tìm thấy tệp {path}")
    importer = importlib.import_module(f"{BUNDLES_PACKAGE}.importer")
    minisign = importlib.import_module(f"{BUNDLES_PACKAGE}.minisign")
    reader = importlib.import_module(f"{BUNDLES_PACKAGE}.reader")
    with reader.open_bundle(path) as bundle:
        named_key = minisign.PublicKey.from_base64(bundle.manifest.public_key)
    report = importer.verify_bundle(_workspace(ctx), path, public_key=named_key)
    summary = report.summary
    return (
        f"{path.name}: {summary.title}; {summary.record_count} hoạt động, {summary.evidence_count} tệp minh chứng; "
        f"chữ ký hợp lệ, {report.signer_label}; mọi mã băm khớp"
    )


OPEN_FILE_STEP = ("Mở tệp gói dữ liệu được chỉ định", step_open_file, False)

STEPS: list[tuple[str, Callable[[SelfTestContext], str], bool]] = [
    # (title, step, needs Qt)
    ("Tài nguyên", step_resources, False),
    ("Cơ sở dữ liệu", step_database, False),
    ("Phong trào thi đua", step_campaign, False),
    ("Xuất PDF (reportlab)", step_pdf, False),
    ("Giao diện Qt", step_qt, True),
    ("Xem PDF (QtPdf)", step_qtpdf, True),
    ("Gói dữ liệu có chữ ký", step_bundle, False),
]


# --- runner -----------------------------------------------------------------------------------
def _workspace(ctx: SelfTestContext):  # noqa: ANN202 - Workspace, imported lazily
    if ctx.workspace is None:
        raise Skip("cơ sở dữ liệu chưa mở được")
    return ctx.workspace


def _ink(image: object) -> int:
    """Pixels that are not near-white: enough to tell "something was drawn" from a blank page."""
    from PySide6.QtGui import QColor, QImage, QPainter

    assert isinstance(image, QImage)
    flat = QImage(image.size(), QImage.Format.Format_RGB32)  # a transparent page counts as white paper
    flat.fill(QColor("white"))
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    small = flat.convertToFormat(QImage.Format.Format_Grayscale8)
    count = 0
    for y in range(small.height()):
        row = bytes(small.constScanLine(y))[: small.width()]
        count += sum(1 for value in row if value < 200)
    return count


def file_argument(argv: Sequence[str]) -> Path | None:
    """The TỆP of `thidua-desktop --self-test TỆP`, parsed by the app's own parser.

    gui.app hands the self-test no arguments, so the file is read from the command line here; only
    when --self-test is on it (under pytest, sys.argv holds pytest's arguments).
    """
    if "--self-test" not in argv:
        return None
    from thidua_desktop.gui.app import build_parser

    args, _unknown = build_parser().parse_known_args(list(argv))
    return Path(args.file).expanduser().resolve() if args.file else None


def run_steps(root: Path, *, with_qt: bool = True, bundle_file: Path | None = None) -> list[StepResult]:
    """Run every step in order under `root`; a failure is recorded and the next step still runs."""
    ctx = SelfTestContext(root, bundle_file=bundle_file)
    results: list[StepResult] = []
    steps = STEPS + ([OPEN_FILE_STEP] if bundle_file is not None else [])
    try:
        for title, step, needs_qt in steps:
            started = time.perf_counter()
            if needs_qt and not with_qt:
                results.append(StepResult(title, SKIPPED, "không kiểm tra Qt trong lần chạy này", 0.0))
                continue
            try:
                detail = step(ctx)
                status = OK
            except Skip as skip:
                status, detail = SKIPPED, str(skip)
            except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
                status = FAILED
                detail = f"{type(error).__name__}: {error}\n{traceback.format_exc()}".rstrip()
            results.append(StepResult(title, status, detail, time.perf_counter() - started))
    finally:
        if ctx.workspace is not None:
            ctx.workspace.close()  # type: ignore[attr-defined]
    return results


def format_report(results: list[StepResult], seconds: float) -> str:
    lines = [f"{APP_NAME} {__version__} — tự kiểm tra ({'bản đóng gói' if getattr(sys, 'frozen', False) else 'mã nguồn'})"]
    for number, result in enumerate(results, 1):
        lines.append(f"[{result.status:^7}] {number}. {result.title}: {result.detail} ({result.seconds:.1f} giây)")
    counts = {status: sum(r.status == status for r in results) for status in (OK, SKIPPED, FAILED)}
    verdict = "THÀNH CÔNG" if counts[FAILED] == 0 else "THẤT BẠI"
    lines.append(
        f"Kết quả: {verdict} — {counts[OK]} đạt, {counts[SKIPPED]} bỏ qua, {counts[FAILED]} lỗi, "
        f"{seconds:.1f} giây"
    )
    return "\n".join(lines) + "\n"


def run_self_test(out: TextIO | None = None, *, with_qt: bool = True, bundle_file: Path | None = None) -> int:
    """Run the self-test in a fresh temp folder, print and save the report; 0 when nothing failed.

    `bundle_file` defaults to the file on the command line (`--self-test TỆP`), if any.
    """
    started = time.perf_counter()
    if bundle_file is None:
        bundle_file = file_argument(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="thidua-tu-kiem-tra-", ignore_cleanup_errors=True) as tmp:
        results = run_steps(Path(tmp), with_qt=with_qt, bundle_file=bundle_file)
    report = format_report(results, time.perf_counter() - started)
    report_path = Path(tempfile.gettempdir()) / REPORT_FILE_NAME
    try:
        report_path.write_text(report, encoding="utf-8")
        report += f"Báo cáo đã lưu tại: {report_path}\n"
    except OSError:
        pass
    stream = out if out is not None else sys.stdout
    if stream is not None:
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
        stream.write(report)
        stream.flush()
    return 0 if all(r.status != FAILED for r in results) else 1
