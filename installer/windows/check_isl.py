"""Check that a translated Inno Setup message file is complete against the compiler's Default.isl.

    python installer/windows/check_isl.py path/to/Default.isl installer/windows/Vietnamese.isl

Every [Messages] and [CustomMessages] entry of Default.isl must be there, translated (not the English
text), with the same %1…%9 and [name]-style placeholders and the same number of & accelerators, and no
period added where the English has none (Inno Setup appends one itself). Run by .ci/windows.sh with
the pinned Inno Setup's Default.isl, so a new Inno Setup version with new messages fails the build.
Exit 0 when complete; otherwise one line per problem and exit 1.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SECTIONS = ("LangOptions", "Messages", "CustomMessages")
PLACEHOLDER = re.compile(r"%\d|\[[a-z]+(?:/[a-z]+)?\]")
# Entries whose text has no words to translate (formats, units, empty notes).
UNTRANSLATED_OK = {
    "ComponentSize1", "ComponentSize2", "UninstallDisplayNameMark", "UninstallDisplayNameMarks",
    "HelpTextNote", "BeveledLabel", "AboutSetupNote", "TranslatorNote", "LanguageCodePage",
}


def read_isl(path: Path) -> dict[tuple[str, str], str]:
    entries: dict[tuple[str, str], str] = {}
    section = None
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        header = re.match(r"^\[(\w+)\]\s*$", line)
        if header:
            section = header.group(1)
        elif section in SECTIONS and "=" in line and not line.lstrip().startswith(";"):
            key, value = line.split("=", 1)
            entries[(section, key.strip())] = value
    return entries


def problems(english: dict[tuple[str, str], str], translated: dict[tuple[str, str], str]) -> list[str]:
    found = []
    for (section, key), text in english.items():
        if section == "LangOptions":
            continue
        if (section, key) not in translated:
            found.append(f"[{section}] {key}: missing")
            continue
        mine = translated[(section, key)]
        if text and mine == text and key not in UNTRANSLATED_OK:
            found.append(f"[{section}] {key}: not translated")
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(mine)):
            found.append(f"[{section}] {key}: placeholders {PLACEHOLDER.findall(text)} → {PLACEHOLDER.findall(mine)}")
        if text.count("&") != mine.count("&"):
            found.append(f"[{section}] {key}: accelerator '&' count differs")
        if text and not text.endswith(".") and mine.endswith(".") and not mine.endswith("..."):
            found.append(f"[{section}] {key}: ends with a period the English text does not have")
    for key in ("LanguageName", "LanguageID", "LanguageCodePage"):
        if ("LangOptions", key) not in translated:
            found.append(f"[LangOptions] {key}: missing")
    return found


def main(argv: list[str]) -> int:
    default_isl, translated_isl = (Path(arg) for arg in argv)
    if not translated_isl.read_bytes().startswith(b"\xef\xbb\xbf"):
        print(f"{translated_isl}: must be UTF-8 with a BOM")
        return 1
    found = problems(read_isl(default_isl), read_isl(translated_isl))
    for line in found:
        print(f"{translated_isl.name}: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
