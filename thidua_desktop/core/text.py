"""Vietnamese text: NFC, accent-free search keys, collation keys, and number/date formatting."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

# Vietnamese alphabet order; letters with a breve/circumflex/horn/stroke are letters of their own.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i + 1 for i, ch in enumerate(_ALPHABET)}
# Tone marks sort: none, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, accent-free form used for search, so "hoa giai" finds "Hòa giải" and "Đ" matches "d"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def _split_letter(cluster: str) -> tuple[str, int]:
    """Split one NFD cluster into its Vietnamese base letter (with breve/circumflex/horn) and tone rank."""
    base = cluster[0]
    tone = 0
    letter_marks = ""
    for mark in cluster[1:]:
        if mark in _TONE_RANK:
            tone = _TONE_RANK[mark]
        elif mark in _LETTER_MARKS:
            letter_marks += mark
    return unicodedata.normalize("NFC", base + letter_marks), tone


def sort_key(text: str) -> str:
    """A key that sorts Vietnamese names correctly under plain binary (and any locale) string order.

    Primary order is the Vietnamese alphabet (a < ă < â < b … d < đ), then tones break ties.
    The key is lower-case hex, so it orders the same in SQLite and PostgreSQL without a custom collation.
    """
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    clusters: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and clusters:
            clusters[-1] += ch
        else:
            clusters.append(ch)
    primary: list[str] = []
    tones: list[str] = []
    for cluster in clusters:
        letter, tone = _split_letter(cluster)
        if letter in _LETTER_RANK:
            primary.append(f"{_LETTER_RANK[letter] + 0x40:02x}")
            tones.append(str(tone))
        elif letter.isdigit():
            primary.append(f"{ord(letter) - ord('0') + 0x20:02x}")
        elif letter.isspace():
            primary.append("10")
        else:
            primary.append(f"{min(ord(letter), 0xFF):02x}" if ord(letter) > 0x10 else "11")
    return "".join(primary) + "00" + "".join(tones)


def format_number(value: int | float | None, *, decimals: int = 0) -> str:
    """1234567 → "1.234.567"; decimals use a comma, as Vietnamese documents do."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_money(value: int | None) -> str:
    return "" if value is None else f"{format_number(value)} đ"


def parse_number(text: str) -> int:
    """Parse "1.234.567" or "1 234 567 đ" typed by a user; raises ValueError with a Vietnamese message."""
    compact = text.strip().replace("đ", "").replace(" ", "").replace("\u00a0", "")
    if compact in ("", "-"):
        raise ValueError("Chưa nhập số.")
    if "," in compact:
        raise ValueError("Chỉ nhập số nguyên (không có phần thập phân).")
    groups = compact.lstrip("-").split(".")
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError(f"“{text}” viết chưa đúng: dấu chấm chỉ dùng để tách hàng nghìn (ví dụ 1.234.567).")
    cleaned = compact.replace(".", "")
    try:
        return int(cleaned)
    except ValueError:
        raise ValueError(f"“{text}” không phải là số.") from None


MAX_DISPLAY_DECIMALS = 6


def _rounded(value: float, decimals: int) -> Decimal:
    """Half-up rounding of the value as written (what Excel shows for the same number format)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


Targets = float | Sequence[float] | None


def _targets(target: Targets) -> tuple[float, ...]:
    if target is None:
        return ()
    return (float(target),) if isinstance(target, (int, float)) else tuple(float(t) for t in target)


def _same_side(shown: Decimal, value: float, targets: tuple[float, ...]) -> bool:
    return all((shown < Decimal(repr(t))) == (value < t) for t in targets)


def display_decimals(value: float, target: Targets, decimals: int = 1) -> int:
    """How many decimals show `value` on its own side of every target: `decimals`, or more near one.

    Why: 2212/2213 = 99.955 % rounded to one decimal reads "100,0%", a target reached that was not.
    A value below a target must display below it, and a value at or above it must not display below.
    Every place that prints a figure against a target (screen, PDF, .docx, Excel number formats) asks
    this one function, so they all agree.
    """
    targets = _targets(target)
    for digits in range(decimals, MAX_DISPLAY_DECIMALS + 1):
        if _same_side(_rounded(value, digits), value, targets):
            return digits
    return MAX_DISPLAY_DECIMALS


def format_against(value: float, target: Targets, *, decimals: int = 1) -> str:
    """`value` in Vietnamese notation ("99,95"), never crossing a target (see `display_decimals`)."""
    targets = _targets(target)
    digits = display_decimals(value, targets, decimals)
    shown = _rounded(value, digits)
    if not _same_side(shown, value, targets):
        # still crossing at the last digit allowed: cut toward the side the value is on
        step = Decimal(1).scaleb(-digits)
        exact = Decimal(repr(value))
        met_crossed = any(value >= t and shown < Decimal(repr(t)) for t in targets)
        shown = exact.quantize(step, rounding=ROUND_CEILING if met_crossed else ROUND_FLOOR)
    text = f"{shown:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(value: float | None, *, target: Targets = None, decimals: int = 1) -> str:
    """"88,9%"; never crosses `target` nor 100 % ("99,95%", not "100,0%", for 2212 of 2213)."""
    if value is None:
        return "—"
    return f"{format_against(value, (*_targets(target), 100.0), decimals=decimals)}%"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


def parse_date(text: str) -> date:
    """Parse a date as written: dd/mm/yyyy, also without leading zeros and with "." or "-" (5.2.2024, 5-2-2024).

    The one rule for the GUI's date field and the CLI. Never guesses: an impossible day (31/02) is an error,
    not the nearest real day. Raises ValueError with a Vietnamese message.
    """
    parts = [part.strip() for part in text.strip().replace("-", "/").replace(".", "/").split("/")]
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) > 2 or len(parts[2]) != 4:
        raise ValueError(f"Ngày “{text}” không đúng dạng ngày/tháng/năm (ví dụ 05/02/2024).")
    day, month, year = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Ngày “{text}” không có thật trên lịch.") from None


# --- text safety: characters that hide or reorder what a reader sees ------------------------------

_BIDI_CONTROLS = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)))
_LINE_BREAKS = frozenset("\n\r\t")  # allowed where the field has several lines (descriptions, captions)
_SEPARATORS = frozenset("\u2028\u2029")


def _unsafe_kind(ch: str, multiline: bool) -> str | None:
    if ch in _BIDI_CONTROLS:
        return "ký tự đảo chiều chữ"
    category = unicodedata.category(ch)
    if category == "Cc" or ch in _SEPARATORS:
        if multiline and ch in _LINE_BREAKS:
            return None
        if ch == "\x00":
            return "ký tự NUL"
        return "ký tự xuống dòng" if ch in "\n\r" or ch in _SEPARATORS else "ký tự điều khiển"
    if category == "Cf":  # zero-width spaces and joiners, BOM, soft hyphen, invisible tags…
        return "ký tự vô hình"
    return None


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` is unsafe to show (control, NUL, bidi-override or zero-width characters), or None.

    Such characters make a title read differently from what it is ("…‮fdp.exe"), hide text, or
    break files and terminals; Vietnamese text never needs them. The one rule for the activity form,
    the bundle export and the bundle import.
    """
    for ch in value:
        kind = _unsafe_kind(ch, multiline)
        if kind is not None:
            return f"chứa {kind} (U+{ord(ch):04X})"
    return None


def visible_text(value: str, *, limit: int = 80) -> str:
    """`value` for a message: unsafe characters shown as ⟨U+XXXX⟩, so a refusal cannot itself spoof."""
    shown = "".join(f"⟨U+{ord(ch):04X}⟩" if _unsafe_kind(ch, False) else ch for ch in value[:limit])
    return shown + ("…" if len(value) > limit else "")
