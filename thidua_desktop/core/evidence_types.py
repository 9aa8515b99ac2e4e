"""What an evidence file really is: recognised by its content (signatures, a decodable image), not its name.

A Windows program renamed ".jpg" must not travel to the department as a photo. Each accepted extension
names a family (image, PDF, office document…); the first bytes must show that family, and images must
decode. A refusal says in Vietnamese what the file really seems to be.
"""

from __future__ import annotations

import enum
import warnings
import zipfile
from pathlib import Path

from thidua_desktop.core.errors import UserError


class Family(enum.StrEnum):
    IMAGE = "ảnh"
    HEIC = "ảnh HEIC"
    PDF = "tệp PDF"
    OOXML = "tài liệu Word/Excel/PowerPoint (.docx, .xlsx, .pptx)"
    ODF = "tài liệu ODF (.odt, .ods, .odp)"
    OLE = "tài liệu Word/Excel/PowerPoint đời cũ (.doc, .xls, .ppt)"
    RTF = "tài liệu RTF"
    TEXT = "tệp văn bản"


FAMILY_OF_EXTENSION: dict[str, tuple[Family, ...]] = {
    **{ext: (Family.IMAGE,) for ext in (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp")},
    ".heic": (Family.HEIC, Family.IMAGE),  # some phones save a JPEG under .heic
    ".pdf": (Family.PDF,),
    ".docx": (Family.OOXML,), ".xlsx": (Family.OOXML,), ".pptx": (Family.OOXML,),
    ".odt": (Family.ODF,), ".ods": (Family.ODF,), ".odp": (Family.ODF,),
    ".doc": (Family.OLE, Family.RTF),  # Word also saves RTF under .doc
    ".xls": (Family.OLE,), ".ppt": (Family.OLE,),
    ".rtf": (Family.RTF,),
    ".txt": (Family.TEXT,),
}
ALLOWED_EXTENSIONS = frozenset(FAMILY_OF_EXTENSION)

_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis", b"avif")
_PROGRAMS = {b"MZ": "một chương trình Windows (.exe, .dll)", b"\x7fELF": "một chương trình Linux",
             b"#!": "một tập lệnh (script)", b"\xca\xfe\xba\xbe": "một chương trình macOS hoặc Java",
             b"\xcf\xfa\xed\xfe": "một chương trình macOS"}
HEAD_BYTES = 8192


def sniff(head: bytes, path: Path) -> Family | None:
    """The family the content shows, from its first bytes (and, for zips, the archive's table of contents)."""
    if head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return Family.IMAGE
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return Family.HEIC
    if b"%PDF" in head[:1024]:
        return Family.PDF  # readers accept a little junk before the header, so do we
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Family.OLE
    if head.startswith(b"{\\rtf"):
        return Family.RTF
    if head.startswith(b"PK\x03\x04"):
        return _zip_family(path)
    if _looks_like_text(head):
        return Family.TEXT
    return None


def _zip_family(path: Path) -> Family | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return Family.OOXML
            if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                return Family.ODF
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def _looks_like_text(head: bytes) -> bool:
    """UTF-8, UTF-16 (with its mark) or old Vietnamese Windows text without control bytes: notes and CSV
    exports, never binaries."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return b"\x00\x00" not in head[2:]
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3:  # a character cut by the end of the sample
            text = head[: error.start].decode("utf-8", errors="replace")
        else:
            text = head.decode("cp1258", errors="replace")
    return not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text)


def _what_it_seems(head: bytes, family: Family | None) -> str:
    for signature, label in _PROGRAMS.items():
        if head.startswith(signature):
            return label
    if family is not None:
        return str(family)
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "một tệp nén"
    return "một loại tệp không nhận làm minh chứng"


def check_content(path: Path) -> Family:
    """The file's family, or a UserError saying that its content does not match its name."""
    with path.open("rb") as source:
        head = source.read(HEAD_BYTES)
    expected = FAMILY_OF_EXTENSION[path.suffix.lower()]
    family = sniff(head, path)
    if family is None or family not in expected:
        raise UserError(
            f"Tệp “{path.name}” mang đuôi {path.suffix.lower()} nhưng nội dung là {_what_it_seems(head, family)}, "
            f"không phải {expected[0]}; không nhận làm minh chứng.",
            hint="Có thể tệp đã bị đổi tên hoặc bị hỏng. Hãy chọn tệp gốc: ảnh chụp, bản scan PDF, "
                 "hoặc tài liệu Word/Excel/ODF.",
        )
    if family is Family.IMAGE:
        _check_image_decodes(path)
    return family


def _check_image_decodes(path: Path) -> None:
    """The whole picture must decode: a photo cut short by a broken copy is refused now, not at the department."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # big camera photos are expected
            with Image.open(path) as image:
                image.verify()
            with Image.open(path) as image:
                image.draft("RGB", (2000, 2000))  # a JPEG decodes at a reduced scale, still end to end
                image.load()
    except Image.DecompressionBombError:
        raise UserError(
            f"Ảnh “{path.name}” quá nhiều điểm ảnh để mở an toàn.",
            hint="Hãy chụp lại hoặc xuất ảnh với độ phân giải thấp hơn.",
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise UserError(
            f"Ảnh “{path.name}” bị hỏng hoặc không đọc được (không giải mã được nội dung).",
            hint="Hãy chép lại ảnh gốc từ máy ảnh hoặc điện thoại rồi đính kèm lại.",
        ) from None
