"""installer/windows/check_isl.py: the CI gate that keeps Vietnamese.isl complete for the pinned Inno Setup."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_isl", ROOT / "installer" / "windows" / "check_isl.py")
check_isl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_isl)

ENGLISH = """[LangOptions]
LanguageName=English
LanguageID=$0409
LanguageCodePage=0
[Messages]
; *** comment
SetupWindowTitle=Setup - %1
ButtonNext=&Next >
DiskSpaceMBLabel=At least [mb] MB of free disk space is required.
ErrorCreatingDir=Setup was unable to create the directory "%1"
BeveledLabel=
[CustomMessages]
LaunchProgram=Launch %1
"""
VIETNAMESE = """[LangOptions]
LanguageName=Tiếng Việt
LanguageID=$042A
LanguageCodePage=0
[Messages]
SetupWindowTitle=Cài đặt %1
ButtonNext=&Tiếp theo >
DiskSpaceMBLabel=Cần ít nhất [mb] MB dung lượng trống.
ErrorCreatingDir=Trình cài đặt không tạo được thư mục "%1"
BeveledLabel=
[CustomMessages]
LaunchProgram=Mở %1
"""


def _write(tmp_path: Path, english: str, vietnamese: str) -> list[str]:
    (tmp_path / "Default.isl").write_text(english, encoding="utf-8")
    (tmp_path / "Vietnamese.isl").write_text("\ufeff" + vietnamese, encoding="utf-8")
    return [str(tmp_path / "Default.isl"), str(tmp_path / "Vietnamese.isl")]


def test_complete_translation_passes(tmp_path: Path) -> None:
    assert check_isl.main(_write(tmp_path, ENGLISH, VIETNAMESE)) == 0


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (VIETNAMESE.replace("LaunchProgram=Mở %1\n", ""), "LaunchProgram: missing"),
        (VIETNAMESE.replace("Cài đặt %1", "Cài đặt"), "SetupWindowTitle: placeholders"),
        (VIETNAMESE.replace("&Tiếp theo", "Tiếp theo"), "ButtonNext: accelerator"),
        (VIETNAMESE.replace('thư mục "%1"', 'thư mục "%1".'), "ErrorCreatingDir: ends with a period"),
        (VIETNAMESE.replace("Mở %1", "Launch %1"), "LaunchProgram: not translated"),
    ],
)
def test_each_kind_of_gap_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str, problem: str) -> None:
    assert check_isl.main(_write(tmp_path, ENGLISH, broken)) == 1
    assert problem in capsys.readouterr().out


def test_a_file_without_bom_is_refused(tmp_path: Path) -> None:
    args = _write(tmp_path, ENGLISH, VIETNAMESE)
    Path(args[1]).write_text(VIETNAMESE, encoding="utf-8")
    assert check_isl.main(args) == 1


def test_the_shipped_file_has_what_the_wizard_and_uninstaller_show() -> None:
    shipped = check_isl.read_isl(ROOT / "installer" / "windows" / "Vietnamese.isl")
    for key in ("WelcomeLabel1", "ButtonNext", "ConfirmUninstall", "UninstalledAll", "StatusUninstalling",
                "SetupAppRunningError", "UninstallAppRunningError", "ExitSetupMessage"):
        assert shipped[("Messages", key)].strip(), key
