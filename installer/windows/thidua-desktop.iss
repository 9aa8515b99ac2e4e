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
; - all text is Vietnamese. If the community translation Vietnamese.isl (Inno Setup's "unofficial"
;   translations) is put next to this script, it is used as the base; the [Messages] below cover
;   every page this installer shows either way.
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
; The version comes from the frozen executable's version resource (set by the PyInstaller spec from
; thidua_desktop.__version__), so the installer cannot disagree with the program it carries.
; ISCC /DAppVersion=x.y.z overrides it.
#ifndef AppVersion
  #define AppVersion GetVersionNumbersString(AddBackslash(DistDir) + AppExeName)
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
DefaultDirName={autopf}\{#AppFolderName}
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
Compression=lzma2/max
SolidCompression=yes
SetupLogging=yes
OutputDir=Output
OutputBaseFilename=ThiDua-Desktop-{#AppVersion}-cai-dat

[Languages]
#ifexist VietIsl
Name: "vi"; MessagesFile: "{#VietIsl}"
#else
Name: "vi"; MessagesFile: "compiler:Default.isl"
#endif

[LangOptions]
LanguageName=Tiếng Việt
LanguageID=$042A
LanguageCodePage=0

[Messages]
SetupAppTitle=Cài đặt
SetupWindowTitle=Cài đặt %1
UninstallAppTitle=Gỡ cài đặt
UninstallAppFullTitle=Gỡ cài đặt %1
InformationTitle=Thông tin
ConfirmTitle=Xác nhận
ErrorTitle=Lỗi
SetupLdrStartupMessage=Chương trình sẽ cài đặt %1. Bạn có muốn tiếp tục không?
LdrCannotCreateTemp=Không tạo được tệp tạm. Đã dừng cài đặt
LdrCannotExecTemp=Không chạy được tệp trong thư mục tạm. Đã dừng cài đặt
SetupFileMissing=Thiếu tệp %1 trong thư mục cài đặt. Vui lòng lấy lại bản cài đặt khác.
SetupFileCorrupt=Tệp cài đặt bị hỏng. Vui lòng lấy lại bản cài đặt khác.
SetupFileCorruptOrWrongVer=Tệp cài đặt bị hỏng hoặc không khớp với phiên bản trình cài đặt này. Vui lòng lấy lại bản cài đặt khác.
SetupAlreadyRunning=Trình cài đặt đang chạy.
WindowsVersionNotSupported=Chương trình không hỗ trợ phiên bản Windows trên máy này.
WinVersionTooLowError=Chương trình cần %1 phiên bản %2 trở lên.
OnlyOnTheseArchitectures=Chương trình chỉ cài được trên Windows dành cho các kiến trúc bộ xử lý sau:%n%n%1
SetupAppRunningError=%1 đang chạy.%n%nHãy đóng tất cả cửa sổ của chương trình rồi bấm OK để tiếp tục, hoặc Hủy để thoát.
UninstallAppRunningError=%1 đang chạy.%n%nHãy đóng tất cả cửa sổ của chương trình rồi bấm OK để tiếp tục, hoặc Hủy để thoát.
LastErrorMessage=%1.%n%nLỗi %2: %3
ErrorCreatingDir=Không tạo được thư mục "%1"
ExitSetupTitle=Thoát cài đặt
ExitSetupMessage=Việc cài đặt chưa xong. Nếu thoát bây giờ, chương trình sẽ không được cài.%n%nBạn có thể chạy lại trình cài đặt vào lúc khác.%n%nThoát cài đặt?
AboutSetupMenuItem=&Giới thiệu trình cài đặt...
AboutSetupTitle=Giới thiệu trình cài đặt
ButtonBack=< &Quay lại
ButtonNext=&Tiếp theo >
ButtonInstall=&Cài đặt
ButtonOK=Đồng ý
ButtonCancel=Hủy
ButtonYes=&Có
ButtonYesToAll=Có với &tất cả
ButtonNo=&Không
ButtonNoToAll=K&hông với tất cả
ButtonFinish=&Hoàn tất
ButtonBrowse=&Chọn...
ButtonWizardBrowse=C&họn...
ButtonNewFolder=&Tạo thư mục mới
ClickNext=Bấm Tiếp theo để tiếp tục, hoặc Hủy để thoát.
BrowseDialogTitle=Chọn thư mục
BrowseDialogLabel=Chọn một thư mục trong danh sách dưới đây rồi bấm Đồng ý.
NewFolderName=Thư mục mới
WelcomeLabel1=Chào mừng đến với trình cài đặt [name]
WelcomeLabel2=Trình cài đặt sẽ cài [name/ver] cho tài khoản Windows của bạn; không cần quyền quản trị.%n%nNếu máy đã có phiên bản cũ, chương trình được nâng cấp và dữ liệu của bạn được giữ nguyên.%n%nNên đóng các chương trình khác trước khi tiếp tục.
WizardSelectDir=Chọn nơi cài đặt
SelectDirDesc=Cài [name] vào đâu?
SelectDirLabel3=Trình cài đặt sẽ cài [name] vào thư mục sau.
SelectDirBrowseLabel=Bấm Tiếp theo để tiếp tục. Nếu muốn chọn thư mục khác, bấm Chọn.
DiskSpaceGBLabel=Cần ít nhất [gb] GB dung lượng trống.
DiskSpaceMBLabel=Cần ít nhất [mb] MB dung lượng trống.
InvalidPath=Hãy nhập đường dẫn đầy đủ có ký tự ổ đĩa, ví dụ:%n%nC:\APP
InvalidDrive=Ổ đĩa đã chọn không tồn tại hoặc không truy cập được. Vui lòng chọn ổ khác.
DiskSpaceWarningTitle=Không đủ dung lượng
DiskSpaceWarning=Cần ít nhất %1 KB dung lượng trống nhưng ổ đĩa đã chọn chỉ còn %2 KB.%n%nVẫn tiếp tục?
DirNameTooLong=Tên hoặc đường dẫn thư mục quá dài.
InvalidDirName=Tên thư mục không hợp lệ.
BadDirName32=Tên thư mục không được chứa các ký tự sau:%n%n%1
DirExistsTitle=Thư mục đã có
DirExists=Thư mục:%n%n%1%n%nđã có. Vẫn cài vào thư mục này?
DirDoesntExistTitle=Thư mục chưa có
DirDoesntExist=Thư mục:%n%n%1%n%nchưa có. Tạo thư mục này?
WizardSelectTasks=Chọn thêm tác vụ
SelectTasksDesc=Trình cài đặt làm thêm những việc nào?
SelectTasksLabel2=Chọn những việc trình cài đặt làm thêm khi cài [name], rồi bấm Tiếp theo.
WizardReady=Sẵn sàng cài đặt
ReadyLabel1=Trình cài đặt đã sẵn sàng cài [name] lên máy của bạn.
ReadyLabel2a=Bấm Cài đặt để bắt đầu, hoặc Quay lại nếu muốn xem lại hay thay đổi lựa chọn.
ReadyLabel2b=Bấm Cài đặt để bắt đầu.
ReadyMemoDir=Nơi cài đặt:
ReadyMemoTasks=Tác vụ thêm:
WizardPreparing=Chuẩn bị cài đặt
PreparingDesc=Trình cài đặt đang chuẩn bị cài [name] lên máy của bạn.
CannotContinue=Không thể tiếp tục cài đặt. Vui lòng bấm Hủy để thoát.
ApplicationsFound=Các chương trình sau đang dùng tệp cần cập nhật. Nên để trình cài đặt tự đóng chúng.
ApplicationsFound2=Các chương trình sau đang dùng tệp cần cập nhật. Nên để trình cài đặt tự đóng chúng; sau khi cài xong, trình cài đặt sẽ thử mở lại.
CloseApplications=&Tự động đóng các chương trình này
DontCloseApplications=&Không đóng các chương trình này
PrepareToInstallNeedsRestart=Cần khởi động lại máy. Sau khi khởi động lại, hãy chạy lại trình cài đặt để cài xong [name].%n%nKhởi động lại ngay bây giờ?
PreviousInstallNotCompleted=Việc cài đặt hoặc gỡ một chương trình trước đó chưa xong. Cần khởi động lại máy để hoàn tất.%n%nSau khi khởi động lại, hãy chạy lại trình cài đặt để cài [name].
ErrorCloseApplications=Trình cài đặt không tự đóng được mọi chương trình. Hãy tự đóng các chương trình đang dùng tệp cần cập nhật trước khi tiếp tục.
WizardInstalling=Đang cài đặt
InstallingLabel=Vui lòng chờ trong khi [name] được cài lên máy của bạn.
FinishedHeadingLabel=Hoàn tất cài đặt [name]
FinishedLabelNoIcons=Đã cài xong [name].
FinishedLabel=Đã cài xong [name]. Có thể mở chương trình bằng biểu tượng trên màn hình nền hoặc trong menu Start.
ClickFinish=Bấm Hoàn tất để thoát trình cài đặt.
FinishedRestartLabel=Cần khởi động lại máy để cài xong [name]. Khởi động lại ngay bây giờ?
FinishedRestartMessage=Cần khởi động lại máy để cài xong [name].%n%nKhởi động lại ngay bây giờ?
YesRadio=&Có, khởi động lại máy ngay
NoRadio=&Không, tôi sẽ khởi động lại sau
RunEntryExec=Mở %1
ErrorRestartingComputer=Trình cài đặt không khởi động lại được máy. Vui lòng tự khởi động lại.
SetupAborted=Việc cài đặt chưa hoàn tất.%n%nHãy khắc phục sự cố rồi chạy lại trình cài đặt.
AbortRetryIgnoreSelectAction=Chọn cách xử lý
AbortRetryIgnoreRetry=&Thử lại
AbortRetryIgnoreIgnore=&Bỏ qua lỗi và tiếp tục
AbortRetryIgnoreCancel=Hủy cài đặt
StatusClosingApplications=Đang đóng các chương trình...
StatusCreateDirs=Đang tạo thư mục...
StatusExtractFiles=Đang chép tệp...
StatusCreateIcons=Đang tạo lối tắt...
StatusCreateRegistryEntries=Đang ghi thông tin vào registry...
StatusSavingUninstall=Đang lưu thông tin gỡ cài đặt...
StatusRunProgram=Đang hoàn tất cài đặt...
StatusRollback=Đang hoàn tác các thay đổi...
ErrorInternal2=Lỗi nội bộ: %1
ErrorFunctionFailedNoCode=%1 không thành công
ErrorFunctionFailed=%1 không thành công; mã %2
ErrorFunctionFailedWithMessage=%1 không thành công; mã %2.%n%3
ErrorExecutingProgram=Không chạy được tệp:%n%1
ErrorRegOpenKey=Lỗi khi mở khóa registry:%n%1\%2
ErrorRegCreateKey=Lỗi khi tạo khóa registry:%n%1\%2
ErrorRegWriteKey=Lỗi khi ghi khóa registry:%n%1\%2
FileAbortRetryIgnoreSkipNotRecommended=&Bỏ qua tệp này (không nên)
FileAbortRetryIgnoreIgnoreNotRecommended=&Bỏ qua lỗi và tiếp tục (không nên)
SourceIsCorrupted=Tệp nguồn bị hỏng
SourceDoesntExist=Không có tệp nguồn "%1"
ExistingFileReadOnly2=Không thay được tệp hiện có vì tệp chỉ cho phép đọc.
ExistingFileReadOnlyRetry=&Bỏ thuộc tính chỉ đọc rồi thử lại
ExistingFileReadOnlyKeepExisting=&Giữ tệp hiện có
ErrorReadingExistingDest=Lỗi khi đọc tệp hiện có:
FileExistsSelectAction=Chọn cách xử lý
FileExists2=Tệp đã có.
FileExistsOverwriteExisting=&Ghi đè tệp hiện có
FileExistsKeepExisting=&Giữ tệp hiện có
FileExistsOverwriteOrKeepAll=&Làm như vậy với các trường hợp sau
ExistingFileNewerSelectAction=Chọn cách xử lý
ExistingFileNewer2=Tệp hiện có mới hơn tệp trình cài đặt định cài.
ExistingFileNewerOverwriteExisting=&Ghi đè tệp hiện có
ExistingFileNewerKeepExisting=&Giữ tệp hiện có (nên chọn)
ExistingFileNewerOverwriteOrKeepAll=&Làm như vậy với các trường hợp sau
ErrorCopying=Lỗi khi chép tệp:
ErrorReplacingExistingFile=Lỗi khi thay tệp hiện có:
UninstallDisplayNameMarkCurrentUser=Người dùng hiện tại
UninstallNotFound=Không có tệp "%1". Không gỡ cài đặt được.
UninstallOpenError=Không mở được tệp "%1". Không gỡ cài đặt được
ConfirmUninstall=Bạn có chắc muốn gỡ %1 khỏi máy không?%n%nDữ liệu của bạn (cơ sở dữ liệu, minh chứng, bản sao lưu) sẽ được giữ lại, trừ khi ở bước sau bạn chọn xóa.
UninstallStatusLabel=Vui lòng chờ trong khi %1 được gỡ khỏi máy.
UninstalledAll=Đã gỡ %1 khỏi máy.
UninstalledMost=Đã gỡ xong %1.%n%nMột số thành phần không gỡ được; bạn có thể tự xóa chúng.
UninstalledAndNeedsRestart=Cần khởi động lại máy để gỡ xong %1.%n%nKhởi động lại ngay bây giờ?
WizardUninstalling=Tình trạng gỡ cài đặt
StatusUninstalling=Đang gỡ %1...
ShutdownBlockReasonInstallingApp=Đang cài %1.
ShutdownBlockReasonUninstallingApp=Đang gỡ %1.

[CustomMessages]
NameAndVersion=%1 phiên bản %2
AdditionalIcons=Lối tắt:
CreateDesktopIcon=Tạo lối tắt trên &màn hình nền
UninstallProgram=Gỡ cài đặt %1
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
; ProgID key and our value under the extension, but not the extension key itself if something else
; registered under it.
Root: HKA; Subkey: "Software\Classes\{#BundleExt}"; ValueType: string; ValueName: ""; ValueData: "{#BundleProgId}"; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleExt}"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-thidua-bundle"; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#BundleExt}\OpenWithProgids"; ValueType: string; ValueName: "{#BundleProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
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
