"""The bundle container: a ZIP file in exactly one canonical layout, written by us and read strictly.

Every entry is STORED (no compression: photos are already compressed, and a stored entry cannot be a
zip bomb), with fixed dates and attributes, in a fixed order, with nothing between or after entries.
The reader parses the central directory itself, checks each entry against the safety limits first
(so a hostile archive gets a specific refusal), then rebuilds every header from the parsed values
and requires the file to be byte-for-byte that canonical layout. Thus every byte of an accepted
file is accounted for: headers by the layout check, the manifest by its signature, each evidence
file by its SHA-256 in the manifest. Standard tools (unzip, Python's zipfile) read the files too.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from thidua_desktop.core.bundles.errors import BundleFormatError, BundleUnsafeError
from thidua_desktop.core.bundles.streaming import Digest, SyncedWriter, pread

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.minisig"
EVIDENCE_DIR = "evidence/"
BUNDLE_SUFFIX = ".thidua"


@dataclass(frozen=True)
class Limits:
    """Bounds checked before anything is read or written; generous for real units, small for attacks."""

    max_entries: int = 50_000
    max_manifest_bytes: int = 64 * 1024 * 1024
    max_signature_bytes: int = 4096
    max_entry_bytes: int = 2 * 1024 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024 * 1024
    max_ratio: int = 100
    max_name_bytes: int = 255


LIMITS = Limits()

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD = struct.Struct("<IHHHHIIH")
_EOCD64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_LOCAL_SIG = 0x04034B50
_CENTRAL_SIG = 0x02014B50
_EOCD_SIG = 0x06054B50
_EOCD64_SIG = 0x06064B50
_LOCATOR64_SIG = 0x07064B50
_VERSION = 20
_VERSION_ZIP64 = 45
_UNIX = 3
_UTF8_FLAG = 0x0800
_DOS_DATE_1980_01_01 = 0x21
_FILE_ATTR = (stat.S_IFREG | 0o644) << 16
_MAX16 = 0xFFFF
_MAX32 = 0xFFFFFFFF
_CRC_OFFSET_IN_LOCAL = 14

HOSTILE_HINT = (
    "Tệp này không phải gói do ThiĐua Desktop tạo ra và có thể là tệp độc hại. Không có gì bị thay đổi. "
    "Hãy xóa tệp và liên hệ đơn vị gửi qua điện thoại để được gửi lại."
)
DAMAGED_HINT = "Có thể tệp chưa tải hoặc chép xong, hoặc bị hỏng trên đường gửi. Hãy đề nghị đơn vị gửi lại tệp."


def local_header(name: bytes, crc: int, size: int) -> bytes:
    return _LOCAL.pack(_LOCAL_SIG, _VERSION, _UTF8_FLAG, 0, 0, _DOS_DATE_1980_01_01, crc, size, size, len(name), 0) + name


def central_header(name: bytes, crc: int, size: int, offset: int) -> bytes:
    """The canonical central record; the header offset moves to a ZIP64 extra field past 4 GiB."""
    zip64 = offset >= _MAX32
    extra = struct.pack("<HHQ", 1, 8, offset) if zip64 else b""
    version = _VERSION_ZIP64 if zip64 else _VERSION
    return _CENTRAL.pack(
        _CENTRAL_SIG, (_UNIX << 8) | version, version, _UTF8_FLAG, 0, 0, _DOS_DATE_1980_01_01, crc, size, size,
        len(name), len(extra), 0, 0, 0, _FILE_ATTR, _MAX32 if zip64 else offset,
    ) + name + extra


def end_records(count: int, cd_offset: int, cd_size: int) -> bytes:
    """End of central directory, with the ZIP64 record and locator in front when a field overflows."""
    if count < _MAX16 and cd_offset < _MAX32 and cd_size < _MAX32:
        return _EOCD.pack(_EOCD_SIG, 0, 0, count, count, cd_size, cd_offset, 0)
    eocd64_offset = cd_offset + cd_size
    return (
        _EOCD64.pack(_EOCD64_SIG, 44, (_UNIX << 8) | _VERSION_ZIP64, _VERSION_ZIP64, 0, 0, count, count, cd_size, cd_offset)
        + _LOCATOR64.pack(_LOCATOR64_SIG, 0, eocd64_offset, 1)
        + _EOCD.pack(_EOCD_SIG, 0, 0, _MAX16, _MAX16, _MAX32, _MAX32, 0)
    )


@dataclass(frozen=True)
class Entry:
    name: str
    header_offset: int
    size: int
    crc: int

    @property
    def data_offset(self) -> int:
        return self.header_offset + _LOCAL.size + len(self.name.encode("utf-8"))


def entry_order(name: str) -> tuple[int, str]:
    """Canonical order: manifest, signature, then evidence by hash."""
    if name == MANIFEST_NAME:
        return (0, "")
    if name == SIGNATURE_NAME:
        return (1, "")
    return (2, name)


class ZipWriter:
    """Appends canonical entries to a SyncedWriter; `finish` writes the central directory."""

    def __init__(self, out: SyncedWriter) -> None:
        self.out = out
        self.entries: list[Entry] = []

    def _begin(self, name: str, size: int, crc: int) -> int:
        if size > LIMITS.max_entry_bytes:
            raise ValueError(f"entry {name} too large")
        offset = self.out.position
        self.out.write(local_header(name.encode("utf-8"), crc, size))
        return offset

    def add_bytes(self, name: str, data: bytes) -> Entry:
        crc = zlib.crc32(data)
        offset = self._begin(name, len(data), crc)
        self.out.write(data)
        entry = Entry(name, offset, len(data), crc)
        self.entries.append(entry)
        return entry

    def add_chunks(self, name: str, size: int, chunks: Iterable[bytes], digest: Digest) -> Entry:
        """Write a streamed entry whose CRC is only known at the end: patched into the local header."""
        offset = self._begin(name, size, 0)
        for chunk in chunks:
            digest.update(chunk)
            self.out.write(chunk)
        if digest.size != size:
            raise EOFError(name)
        self.out.patch(offset + _CRC_OFFSET_IN_LOCAL, struct.pack("<I", digest.crc))
        entry = Entry(name, offset, size, digest.crc)
        self.entries.append(entry)
        return entry

    def finish(self) -> None:
        cd_offset = self.out.position
        directory = b"".join(
            central_header(e.name.encode("utf-8"), e.crc, e.size, e.header_offset) for e in self.entries
        )
        self.out.write(directory)
        self.out.write(end_records(len(self.entries), cd_offset, len(directory)))


# --- reading -------------------------------------------------------------------------------------


def _unsafe(path: Path, message: str, reason: str) -> BundleUnsafeError:
    return BundleUnsafeError(f"Tệp “{path.name}” bị từ chối: {message}", hint=HOSTILE_HINT, reason=reason)


def _format(path: Path, message: str, reason: str, hint: str = DAMAGED_HINT) -> BundleFormatError:
    return BundleFormatError(f"Tệp “{path.name}” {message}", hint=hint, reason=reason)


def check_entry_name(path: Path, name: str) -> None:
    """Refuse names that could escape a folder or mean different files on different systems."""
    segments = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or any(seg in ("", ".", "..") for seg in segments)
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name)
    ):
        raise _unsafe(path, f"mục “{name}” có đường dẫn không an toàn (tuyệt đối, “..”, “\\” hoặc ký tự điều khiển).", "path")


@dataclass
class _RawEntry:
    name: str
    flags: int
    method: int
    made_by: int
    external: int
    crc: int
    compressed: int
    size: int
    offset: int


def _zip64_values(extra: bytes, wanted: list[str]) -> dict[str, int]:
    """Values from a ZIP64 extra field, in APPNOTE order, for the fields that overflowed."""
    values: dict[str, int] = {}
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + length]
        if tag == 1:
            for index, field in enumerate(wanted):
                if 8 * (index + 1) <= len(body):
                    values[field] = struct.unpack_from("<Q", body, 8 * index)[0]
        pos += 4 + length
    return values


class BundleArchive:
    """An open bundle file whose structure has been checked; entries are read by offset."""

    def __init__(self, path: Path, fd: int, size: int, entries: list[Entry], meta_digest: str) -> None:
        self.path = path
        self.fd = fd
        self.size = size
        self.entries = entries
        self.by_name = {e.name: e for e in entries}
        self.meta_digest = meta_digest  # SHA-256 of every byte outside entry data, in file order

    @classmethod
    def open(cls, path: Path) -> BundleArchive:
        path = Path(path)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            raise BundleFormatError(
                f"Không tìm thấy tệp “{path.name}”.", hint="Có thể tệp đã bị di chuyển hoặc xóa.", reason="missing"
            ) from None
        except IsADirectoryError:
            raise BundleFormatError(
                f"“{path.name}” là một thư mục, không phải gói dữ liệu.", hint="Hãy chọn tệp .thidua.", reason="not-zip"
            ) from None
        try:
            size = os.fstat(fd).st_size
            entries, regions = _parse(path, fd, size)
            digest = hashlib.sha256()
            for _offset, data in sorted(regions, key=lambda item: item[0]):
                digest.update(data)
            return cls(path, fd, size, entries, digest.hexdigest())
        except BaseException:
            os.close(fd)
            raise

    def read_entry(self, name: str) -> bytes:
        """A small entry's bytes, CRC-checked (the manifest and the signature)."""
        entry = self.by_name[name]
        data = pread(self.fd, entry.size, entry.data_offset)
        if len(data) != entry.size or zlib.crc32(data) != entry.crc:
            raise _format(self.path, f"bị hỏng: mục “{name}” không đúng mã kiểm tra CRC.", "crc")
        return data

    def meta_regions(self) -> list[tuple[int, int]]:
        """(offset, length) of every byte range outside entry data, in file order."""
        regions: list[tuple[int, int]] = []
        for entry in self.entries:
            regions.append((entry.header_offset, entry.data_offset - entry.header_offset))
        tail = self.entries[-1].data_offset + self.entries[-1].size if self.entries else 0
        regions.append((tail, self.size - tail))
        return regions

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> BundleArchive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _read_exact(fd: int, size: int, offset: int) -> bytes:
    return pread(fd, size, offset) if size > 0 else b""


def _locate_end(path: Path, fd: int, size: int) -> tuple[int, int, int, int, bytes]:
    """(entry count, central directory offset, its size, where the end records start, their bytes)."""
    head = _read_exact(fd, 4, 0)
    looks_like_zip = head == b"PK\x03\x04"
    if size < _EOCD.size:
        if looks_like_zip or size == 0:
            raise _format(path, "trống hoặc bị cắt cụt, không phải một gói dữ liệu hoàn chỉnh.", "truncated")
        raise _not_a_bundle(path)
    tail = _read_exact(fd, _EOCD.size, size - _EOCD.size)
    sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = _EOCD.unpack(tail)
    if sig != _EOCD_SIG or comment_len != 0:
        window = _read_exact(fd, min(size, 65557), max(0, size - 65557))
        if b"PK\x05\x06" in window and looks_like_zip:
            raise _format(path, "không đúng bố cục chuẩn của gói (có phần thừa sau cuối tệp ZIP).", "noncanonical")
        if looks_like_zip:
            raise _format(path, "bị cắt cụt hoặc hỏng (thiếu phần cuối của gói).", "truncated")
        raise _not_a_bundle(path)
    if disk != 0 or cd_disk != 0 or n_disk != n_total:
        raise _format(path, "là tệp ZIP nhiều phần, không phải gói dữ liệu.", "multi-disk")
    end_start = size - _EOCD.size
    end_bytes = tail
    if _MAX16 in (n_disk, n_total) or _MAX32 in (cd_size, cd_offset):
        locator_at = end_start - _LOCATOR64.size
        eocd64_at = locator_at - _EOCD64.size
        if eocd64_at < 0:
            raise _format(path, "bị hỏng (thiếu bản ghi ZIP64).", "truncated")
        lsig, _ldisk, loffset, _ltotal = _LOCATOR64.unpack(_read_exact(fd, _LOCATOR64.size, locator_at))
        record = _read_exact(fd, _EOCD64.size, eocd64_at)
        sig64, _size64, _made, _need, _d, _cd, n_disk64, n_total64, cd_size, cd_offset = _EOCD64.unpack(record)
        if lsig != _LOCATOR64_SIG or sig64 != _EOCD64_SIG or loffset != eocd64_at or n_disk64 != n_total64:
            raise _format(path, "bị hỏng (bản ghi ZIP64 không hợp lệ).", "truncated")
        n_total = n_total64
        end_start = eocd64_at
        end_bytes = record + _read_exact(fd, _LOCATOR64.size, locator_at) + tail
    if n_total > LIMITS.max_entries:
        raise _unsafe(path, f"có {n_total:,} mục, vượt giới hạn {LIMITS.max_entries:,} mục của một gói.", "count")
    if cd_offset + cd_size != end_start or cd_size > n_total * (_CENTRAL.size + LIMITS.max_name_bytes + 64) + 64:
        raise _format(path, "bị hỏng hoặc không đúng bố cục chuẩn (mục lục ZIP sai vị trí).", "noncanonical")
    return n_total, cd_offset, cd_size, end_start, end_bytes


def _not_a_bundle(path: Path) -> BundleFormatError:
    return _format(
        path,
        "không phải gói dữ liệu ThiĐua.",
        "not-zip",
        hint="Gói dữ liệu là tệp .thidua do mục “Gửi gói dữ liệu” của ThiĐua Desktop tạo ra. Hãy kiểm tra lại tệp đã nhận.",
    )


def _parse_directory(path: Path, directory: bytes, count: int) -> list[_RawEntry]:
    raw: list[_RawEntry] = []
    pos = 0
    for _ in range(count):
        if pos + _CENTRAL.size > len(directory):
            raise _format(path, "bị hỏng (mục lục ZIP ngắn hơn khai báo).", "truncated")
        fields = _CENTRAL.unpack_from(directory, pos)
        sig, made_by, _need, flags, method, _time, _date, crc, compressed, size = fields[:10]
        name_len, extra_len, comment_len, _disk, _iattr, external, offset = fields[10:]
        if sig != _CENTRAL_SIG:
            raise _format(path, "bị hỏng (mục lục ZIP sai chữ ký).", "truncated")
        start = pos + _CENTRAL.size
        name_bytes = directory[start : start + name_len]
        extra = directory[start + name_len : start + name_len + extra_len]
        pos = start + name_len + extra_len + comment_len
        if flags & 0x1:
            raise _unsafe(path, "có mục được mã hóa bằng mật khẩu.", "encrypted")
        if name_len > LIMITS.max_name_bytes:
            raise _unsafe(path, "có mục tên quá dài.", "path")
        try:
            name = name_bytes.decode("utf-8") if flags & _UTF8_FLAG else name_bytes.decode("cp437")
        except UnicodeDecodeError:
            raise _unsafe(path, "có mục tên không đọc được.", "path") from None
        overflow = [f for f, v in (("size", size), ("compressed", compressed), ("offset", offset)) if v == _MAX32]
        big = _zip64_values(extra, overflow)
        raw.append(
            _RawEntry(name, flags, method, made_by, external, crc, big.get("compressed", compressed),
                      big.get("size", size), big.get("offset", offset))
        )
    if pos != len(directory):
        raise _format(path, "bị hỏng (mục lục ZIP dài hơn khai báo).", "noncanonical")
    return raw


def _check_safety(path: Path, raw: list[_RawEntry]) -> None:
    """Per-entry limits, in the order that gives the most specific refusal."""
    seen: set[str] = set()
    total = 0
    for item in raw:
        mode = item.external >> 16
        if item.made_by >> 8 == _UNIX and mode and stat.S_ISLNK(mode):
            raise _unsafe(path, f"mục “{item.name}” là liên kết tượng trưng (symlink).", "symlink")
        if item.made_by >> 8 == _UNIX and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise _unsafe(path, f"mục “{item.name}” là tệp đặc biệt của hệ thống.", "special")
        check_entry_name(path, item.name)
        if item.name in seen:
            raise _unsafe(path, f"mục “{item.name}” xuất hiện hai lần.", "duplicate")
        seen.add(item.name)
        if item.size > LIMITS.max_entry_bytes:
            raise _unsafe(path, f"mục “{item.name}” lớn bất thường ({item.size:,} byte).", "size")
        if item.size > 0 and (item.compressed == 0 or item.size > item.compressed * LIMITS.max_ratio):
            raise _unsafe(path, f"mục “{item.name}” có tỉ lệ nén bất thường (dấu hiệu “bom nén”).", "ratio")
        total += item.size
        if total > LIMITS.max_total_bytes:
            raise _unsafe(path, "có tổng dung lượng giải nén vượt giới hạn.", "size")


def _parse(path: Path, fd: int, size: int) -> tuple[list[Entry], list[tuple[int, bytes]]]:
    count, cd_offset, cd_size, _end_start, end_bytes = _locate_end(path, fd, size)
    directory = _read_exact(fd, cd_size, cd_offset)
    if len(directory) != cd_size:
        raise _format(path, "bị cắt cụt (mục lục ZIP không đầy đủ).", "truncated")
    raw = _parse_directory(path, directory, count)
    _check_safety(path, raw)
    for item in raw:
        if item.method != 0 or item.compressed != item.size or item.flags != _UTF8_FLAG:
            raise _format(path, f"không đúng bố cục chuẩn của gói (mục “{item.name}” bị nén hoặc sai cờ).", "noncanonical")
    entries: list[Entry] = []
    regions: list[tuple[int, bytes]] = [(cd_offset, directory + end_bytes)]
    expected_offset = 0
    rebuilt_directory: list[bytes] = []
    for item in raw:
        name_bytes = item.name.encode("utf-8")
        if item.offset != expected_offset:
            raise _format(path, "không đúng bố cục chuẩn của gói (có dữ liệu xen giữa các mục).", "noncanonical")
        header = local_header(name_bytes, item.crc, item.size)
        actual = _read_exact(fd, len(header), item.offset)
        if actual != header:
            raise _format(path, f"không đúng bố cục chuẩn của gói (phần đầu mục “{item.name}” khác thường).", "noncanonical")
        regions.append((item.offset, actual))
        rebuilt_directory.append(central_header(name_bytes, item.crc, item.size, item.offset))
        entries.append(Entry(item.name, item.offset, item.size, item.crc))
        expected_offset = item.offset + len(header) + item.size
    if expected_offset != cd_offset:
        raise _format(path, "không đúng bố cục chuẩn của gói (có dữ liệu thừa trước mục lục).", "noncanonical")
    rebuilt = b"".join(rebuilt_directory)
    if rebuilt != directory or end_records(count, cd_offset, cd_size) != end_bytes:
        raise _format(path, "không đúng bố cục chuẩn của gói (mục lục ZIP khác thường).", "noncanonical")
    return entries, regions
