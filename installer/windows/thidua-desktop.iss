; ThiĐua Desktop — Windows installer (Inno Setup 6.3 or newer).
;
; Build on Windows (see installer/README.md):
;   1. pyinstaller --noconfirm --clean installer\thidua-desktop.spec   → dist\thidua-desktop\
;   2. "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" installer\windows\thidua-desktop.iss
;   → installer\windows\Output\ThiDua-Desktop-<version>-cai-dat.exe
;
; What it does, and why:
; - per-user install, no administrator rights (PrivilegesRequired=lowest): district offices' staff
;   accounts are usually not administrators. Program → %LOCALAPPDATA%\Programs\ThiDua Desktop.
; - Start-menu and desktop shortcuts; .thidua files (data bundles) open in the app, which receives the
;   file path as its only argument: thidua-desktop.exe "C:\...\goi.thidua".
; - upgrades in place: the old program folder's _internal\ is removed first so no stale module from
;   the previous version survives; the user's data (%LOCALAPPDATA%\thidua-desktop) is never touched
;   by an install. The app itself backs the database up before migrating it.
; - the uninstaller keeps the user's data unless the user explicitly says to remove it.
; - all text is Vietnamese: Vietnamese.isl next to this script is the project's own complete translation
;   of Inno Setup's messages (Inno Setup ships none); [Messages] below only words a few pages for this app.
; - built and install-tested from Linux under Wine by .ci/windows.sh (see installer/README.md), which
;   passes /DAppVersion=<thidua_desktop.__version__>.
;
; This file is UTF-8 with a BOM (Inno Setup 6.3+ reads UTF-8 without one too; the BOM keeps 6.0–6.2
; from misreading it).

; ISPP: Pascal-style string literals (a backslash is not an escape), stated rather than assumed.
#pragma parseroption -p+

#if VER < EncodeVer(6,3,0)
  #error Cần Inno Setup 6.3 trở lên để dịch tập lệnh này (Inno Setup 6.3 or newer is required).
#endif

#define AppName "ThiĐua Desktop"
#define AppFolderName "ThiDua Desktop"
#define AppExeName "thidua-desktop.exe"
#define AppDataFolder "thidua-desktop"
#define BundleExt ".thidua"
#define BundleProgId "ThiDua.Bundle"
#define DistDir AddBackslash(SourcePath) + "..\..\dist\thidua-desktop"
#define VietIsl AddBackslash(SourcePath) + "Vietnamese.isl"

#ifnexist AddBackslash(DistDir) + AppExeName
  #error Chưa có bản dựng PyInstaller: chạy "pyinstaller installer\thidua-desktop.spec" trước (dist\thidua-desktop\thidua-desktop.exe).
#endif
#ifnexist VietIsl
  #error Thiếu tệp Vietnamese.isl cạnh tập lệnh này (the Vietnamese message file is missing).
#endif
; The version comes from the frozen executable's ProductVersion string (set by the PyInstaller spec from
; thidua_desktop.__version__, e.g. "0.1.0"), so the installer cannot disagree with the program it carries.
; Not GetVersionNumbersString: that is the 4-part numeric resource, "0.1.0.0".
; ISCC /DAppVersion=x.y.z overrides it (.ci/windows.sh passes it explicitly).
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(AddBackslash(DistDir) + AppExeName, PRODUCT_VERSION)
#endif
#if AppVersion == ""
  #error Không đọc được phiên bản từ thidua-desktop.exe: truyền /DAppVersion=x.y.z cho ISCC.
#endif
; lzma2/max for the shipped setup; the CI's throw-away upgrade-test setup passes /DCompression=lzma2/fast.
#ifndef Compression
  #define Compression "lzma2/max"
#endif

[Setup]
; AppId identifies this product for upgrades and uninstall; never change it.
AppId={{F9F8E48D-38D9-45D6-903D-8B64D6BD1F51}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Ngành Tư pháp
AppCopyright=Ngành Tư pháp
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription=Chương trình cài đặt {#AppName}
PrivilegesRequired=lowest
DefaultDirName={code:ProgramsDir}\{#AppFolderName}
DisableDirPage=auto
UsePreviousAppDir=yes
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
ChangesAssociations=yes
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=no
WizardStyle=modern
SetupIconFile=..\..\resources\icons\thidua-desktop.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression={#Compression}
SolidCompression=yes
SetupLogging=yes
OutputDir=Output
OutputBaseFilename=ThiDua-Desktop-{#AppVersion}-cai-dat

[Languages]
Name: "vi"; MessagesFile: "{#VietIsl}"

[Messages]
; Only what this app words differently from Vietnamese.isl (per-user install, data kept).
WelcomeLabel2=Trình cài đặt sẽ cài [name/ver] cho tài khoản Windows của bạn; không cần quyền quản trị.%n%nNếu máy đã có phiên bản cũ, chương trình được nâng cấp và dữ liệu của bạn được giữ nguyên.%n%nNên đóng các chương trình khác trước khi tiếp tục.
FinishedLabel=Đã cài xong [name]. Có thể mở chương trình bằng biểu tượng trên màn hình nền hoặc trong menu Start.
ConfirmUninstall=Bạn có chắc muốn gỡ %1 khỏi máy không?%n%nDữ liệu của bạn (cơ sở dữ liệu, minh chứng, bản sao lưu) sẽ được giữ lại, trừ khi ở bước sau bạn chọn xóa.

[CustomMessages]
AdditionalIcons=Lối tắt:
LaunchProgram=Mở %1 ngay
AssocGroup=Tệp gói dữ liệu:
AssocBundles=Mở tệp &.thidua (gói dữ liệu nhận được) bằng ThiĐua Desktop
BundleFileType=Gói dữ liệu ThiĐua
SelfTestName=Kiểm tra bản cài ThiĐua Desktop
DeleteDataQuestion=Bạn có muốn XÓA LUÔN dữ liệu của ThiĐua Desktop trên máy này không?%n%n%1%n%nThư mục này chứa cơ sở dữ liệu, tệp minh chứng, bản sao lưu, khóa ký gói dữ liệu và nhật ký. Đã xóa thì không lấy lại được.%n%nChọn "Không" (nên chọn) để giữ lại: cài lại chương trình bất cứ lúc nào để dùng tiếp dữ liệu này.
DataKept=Dữ liệu của bạn được giữ lại tại:%n%1
DataDeleteFailed=Không xóa hết được thư mục dữ liệu:%n%1%n%nCó thể một tệp đang được mở. Bạn có thể tự xóa thư mục này sau.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "associate"; Description: "{cm:AssocBundles}"; GroupDescription: "{cm:AssocGroup}"

[InstallDelete]
; An upgrade must not keep modules or Qt plugins of the previous version next to the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\{#AppExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#DistDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "Ghi nhận, gửi và tổng hợp kết quả phong trào thi đua"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "Ghi nhận, gửi và tổng hợp kết quả phong trào thi đua"; Tasks: desktopicon

[Registry]
; .thidua → ThiDua.Bundle → "thidua-desktop.exe" "%1". HKA is HKCU\Software\Classes in this per-user
; install (HKCR is not recommended by the Inno Setup documentation). The uninstaller removes the
; ProgID key and our values under the extension, then the extension key and its OpenWithProgids
; subkey if nothing else is left in them (uninsdeletekeyifempty; entries are undone in reverse order,
; so OpenWithProgids goes before .thidua is checked); another program's values there are kept.
Root: HKA; Subkey: "Software\Classes\{#BundleExt}"; ValueType: string; ValueName: ""; ValueData: "{#BundleProgId}"; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleExt}"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-thidua-bundle"; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleExt}\OpenWithProgids"; ValueType: string; ValueName: "{#BundleProgId}"; ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleProgId}"; ValueType: string; ValueName: ""; ValueData: "{cm:BundleFileType}"; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExeName},0"; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExeName}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExeName}\SupportedTypes"; ValueType: string; ValueName: "{#BundleExt}"; ValueData: ""

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the program folder; the data folder is handled in [Code] below, and only if the user asks.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"

[Code]
// Where programs go: autopf, which in this per-user install (PrivilegesRequired=lowest) is
// %LOCALAPPDATA%\Programs (FOLDERID_UserProgramFiles) on Windows 10/11. Wine 8, under which CI installs
// this very setup.exe, does not know that folder and cannot expand autopf: it gets the same path
// spelled out.
function ProgramsDir(Param: String): String;
begin
  try
    Result := ExpandConstant('{autopf}');
  except
    Result := ExpandConstant('{localappdata}\Programs');
  end;
end;

{ The user's data folder, as the app computes it (platformdirs user_data_dir, appauthor=False):
  %LOCALAPPDATA%\thidua-desktop. THIDUA_DATA_DIR, if a user set it, points elsewhere and is not touched. }
function UserDataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\{#AppDataFolder}');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep <> usPostUninstall then
    Exit;
  DataDir := UserDataDir();
  if not DirExists(DataDir) then
    Exit;
  { A silent uninstall (e.g. run by an upgrade script or an administrator) never deletes data. }
  if UninstallSilent() then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('DeleteDataQuestion'), [DataDir]),
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
  begin
    if not DelTree(DataDir, True, True, True) then
      MsgBox(FmtMessage(CustomMessage('DataDeleteFailed'), [DataDir]), mbError, MB_OK);
  end
  else
    MsgBox(FmtMessage(CustomMessage('DataKept'), [DataDir]), mbInformation, MB_OK);
end;
