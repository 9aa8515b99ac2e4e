"""Static checks of the PyInstaller spec, the Inno Setup script and the icon set (no build needed)."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "thidua-desktop.spec"
ISS = ROOT / "installer" / "windows" / "thidua-desktop.iss"
ISL = ROOT / "installer" / "windows" / "Vietnamese.isl"
ICONS = ROOT / "resources" / "icons"
NAVY = (0x17, 0x32, 0x4D)


# --- PyInstaller spec -------------------------------------------------------------------------
def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def _assigned(tree: ast.Module, name: str) -> ast.expr:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    raise AssertionError(f"{name} not assigned in the spec")


def test_spec_keeps_only_the_needed_qt_plugins() -> None:
    kept = ast.literal_eval(_assigned(_spec_tree(), "QT_PLUGINS_KEPT"))
    assert {"qoffscreen", "qxcb", "qwindows"} <= kept["platforms"]
    assert "qwayland" not in kept["platforms"] and "qeglfs" not in kept["platforms"]
    assert kept["imageformats"] is None and kept["printsupport"] is None
    assert "ibusplatforminputcontextplugin" in kept["platforminputcontexts"]  # Vietnamese input methods
    for dropped in ("platformthemes", "tls", "networkinformation", "egldeviceintegrations", "generic", "sqldrivers"):
        assert dropped not in kept


def test_spec_excludes_webengine_and_qml() -> None:
    tree = _spec_tree()
    source = SPEC.read_text(encoding="utf-8")
    assert "QtWebEngineCore" in source and "QtQuick" in source and "QtQml" in source
    assert isinstance(_assigned(tree, "QT_MODULES_EXCLUDED"), ast.ListComp)
    assert '(str(ROOT / "resources"), "resources")' in source  # resources/ lands under sys._MEIPASS
    assert 'collect_submodules("thidua_desktop")' in source  # pages are imported by name


def test_spec_plugin_name_normalisation() -> None:
    tree = _spec_tree()
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_plugin_base")
    namespace: dict[str, object] = {"Path": Path}
    exec(compile(ast.Module(body=[func], type_ignores=[]), str(SPEC), "exec"), namespace)  # noqa: S102
    base = namespace["_plugin_base"]
    assert base("/x/plugins/platforms/libqxcb.so") == "qxcb"
    assert base(r"C:\x\plugins\platforms\qwindows.dll".replace("\\", "/")) == "qwindows"
    assert base("/x/libcomposeplatforminputcontextplugin.so") == "composeplatforminputcontextplugin"


# --- Inno Setup script ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def iss() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Inno Setup before 6.3 also reads Vietnamese text"
    return raw[3:].decode("utf-8")


def _section(text: str, name: str) -> list[str]:
    match = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert match, f"[{name}] missing"
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith(";")]


def _directives(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in _section(text, "Setup"))


def test_iss_installs_per_user_without_admin(iss: str) -> None:
    setup = _directives(iss)
    assert setup["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    # {autopf} = %LOCALAPPDATA%\Programs when not admin; spelled out only where the shell cannot expand it (Wine)
    assert setup["DefaultDirName"] == r"{code:ProgramsDir}\{#AppFolderName}"
    programs_dir = iss[iss.index("function ProgramsDir"):]
    programs_dir = programs_dir[:programs_dir.index("end;\n\n")]
    assert programs_dir.index("ExpandConstant('{autopf}')") < programs_dir.index("except")
    assert "ExpandConstant('{localappdata}\\Programs')" in programs_dir
    assert setup["ArchitecturesAllowed"] == setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    assert setup["ChangesAssociations"] == "yes"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["UninstallDisplayIcon"] == r"{app}\{#AppExeName}"


def test_iss_registry_is_per_user_and_opens_the_file_argument(iss: str) -> None:
    registry = _section(iss, "Registry")
    assert registry and all(line.startswith("Root: HKA;") for line in registry)
    command = next(line for line in registry if r"\shell\open\command" in line)
    assert 'ValueData: """{app}\\{#AppExeName}"" ""%1"""' in command
    assert any(r'Subkey: "Software\Classes\{#BundleExt}"' in line and "{#BundleProgId}" in line for line in registry)
    assert '#define BundleExt ".thidua"' in iss


def test_iss_shortcuts_and_upgrade_cleanup(iss: str) -> None:
    icons = _section(iss, "Icons")
    assert any(line.startswith('Name: "{autoprograms}') for line in icons)
    assert any(line.startswith('Name: "{autodesktop}') and "Tasks: desktopicon" in line for line in icons)
    assert r'Type: filesandordirs; Name: "{app}\_internal"' in _section(iss, "InstallDelete")[0]


def test_iss_uninstaller_keeps_data_by_default(iss: str) -> None:
    code = iss[iss.index("[Code]"):]
    assert "usPostUninstall" in code
    assert "UninstallSilent()" in code  # silent uninstall never deletes data
    assert "MB_YESNO or MB_DEFBUTTON2" in code  # "No" is the default answer
    assert "{localappdata}\\{#AppDataFolder}" in code
    assert '#define AppDataFolder "thidua-desktop"' in iss  # = platformdirs user_data_dir(APP_ID)
    assert "DelTree" in code and code.index("IDYES") < code.index("DelTree")


@pytest.fixture(scope="module")
def isl() -> str:
    raw = ISL.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads a non-ASCII .isl as UTF-8 only with a BOM"
    return raw[3:].decode("utf-8").replace("\r\n", "\n")


def test_iss_user_visible_text_is_vietnamese(iss: str, isl: str) -> None:
    # Text with no words to translate: formats, units, and notes Default.isl leaves empty.
    neutral = {"ComponentSize1", "ComponentSize2", "UninstallDisplayNameMark", "UninstallDisplayNameMarks",
               "UninstallDisplayNameMark32Bit", "UninstallDisplayNameMark64Bit",
               "RunEntryShellExec"}  # "Xem %1": Vietnamese that happens to need no diacritics
    entries = _section(isl, "Messages") + _section(isl, "CustomMessages")
    assert len(entries) > 270  # every message of Inno Setup 6.4's Default.isl (checked key by key in CI)
    english = [line for line in entries if line.split("=", 1)[0] not in neutral and line.split("=", 1)[1]
               and line.isascii()]
    assert english == []
    assert "LanguageID=$042A" in _section(isl, "LangOptions")
    assert "LanguageCodePage=0" in _section(isl, "LangOptions")  # Unicode: Vietnamese has no ANSI code page here
    own = _section(iss, "Messages") + _section(iss, "CustomMessages")
    assert own and [line for line in own if line.isascii()] == []
    assert 'MessagesFile: "{#VietIsl}"' in _section(iss, "Languages")[0]
    assert "#ifnexist VietIsl" in iss and "compiler:Default.isl" not in iss  # no English fallback


def test_iss_version_is_the_app_version(iss: str) -> None:
    # GetVersionNumbersString would give the 4-part resource "0.1.0.0"; ProductVersion is "0.1.0".
    assert "GetStringFileInfo(AddBackslash(DistDir) + AppExeName, PRODUCT_VERSION)" in iss
    assert "GetVersionNumbersString" not in iss.split("[Setup]")[1]
    setup = _directives(iss)
    assert setup["AppVersion"] == setup["VersionInfoVersion"] == "{#AppVersion}"
    assert "{#AppVersion}" in setup["OutputBaseFilename"]


def test_iss_uninstall_leaves_no_empty_association_keys(iss: str) -> None:
    registry = _section(iss, "Registry")
    extension = [line for line in registry if r'Subkey: "Software\Classes\{#BundleExt}' in line]
    assert len(extension) == 3  # default value, Content Type, OpenWithProgids
    for line in extension:
        assert "uninsdeletevalue uninsdeletekeyifempty" in line, line
    # undone in reverse order: OpenWithProgids must come after the extension's own values
    assert "OpenWithProgids" in extension[-1]
    progid = [line for line in registry if r'Subkey: "Software\Classes\{#BundleProgId}"' in line]
    assert progid and "uninsdeletekey" in progid[0]


# --- icons ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256])
def test_png_icon_sizes_and_colours(size: int) -> None:
    image = Image.open(ICONS / f"thidua-desktop-{size}.png").convert("RGBA")
    assert image.size == (size, size)
    raw = image.tobytes()
    pixels = [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]
    navy = sum(1 for r, g, b, a in pixels if a > 200 and abs(r - NAVY[0]) + abs(g - NAVY[1]) + abs(b - NAVY[2]) < 60)
    gold = sum(1 for r, g, b, a in pixels if a > 200 and r > 200 and 140 < g < 230 and b < 120)
    assert navy > 0.25 * size * size  # the tile
    assert gold > 0.08 * size * size  # the star stays a large, readable shape even at 16 px


def test_ico_holds_every_size() -> None:
    ico = Image.open(ICONS / "thidua-desktop.ico")
    assert ico.info["sizes"] == {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}


@pytest.mark.parametrize("name", ["thidua-desktop.svg", "thidua-desktop-small.svg"])
def test_svg_sources_parse(name: str) -> None:
    root = ET.parse(ICONS / name).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") in {"0 0 256 256", "0 0 16 16"}
    assert "#17324d" in (ICONS / name).read_text(encoding="utf-8").lower()
