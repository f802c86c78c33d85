; Inno Setup script for Dialdesk on Windows: installs the PyInstaller folder (dist\dialdesk),
; a Start-menu entry, and registers dialdesk.exe for tel:, callto: and sip: links.
; Built by .github/workflows/installers.yml with: iscc /DAppVersion=X.Y.Z packaging\windows\dialdesk.iss
; Cannot be run on the Linux machine this project is developed on (see packaging/README.md).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C1B8F2E-5D0A-4E51-9A3C-2F7E1D4B8A90}
AppName=Dialdesk
AppVersion={#AppVersion}
AppPublisher=The Dialdesk developers
DefaultDirName={autopf}\Dialdesk
DefaultGroupName=Dialdesk
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=dialdesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\dialdesk.ico
UninstallDisplayIcon={app}\dialdesk.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\dialdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Dialdesk"; Filename: "{app}\dialdesk.exe"
Name: "{autodesktop}\Dialdesk"; Filename: "{app}\dialdesk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Registry]
; Click-to-call: tel:, callto: and sip: links open in Dialdesk (the running window takes them over).
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: ""; ValueData: "URL:Telephone number"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\tel\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\dialdesk.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\callto"; ValueType: string; ValueName: ""; ValueData: "URL:Callto link"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\callto"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\callto\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\dialdesk.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\sip"; ValueType: string; ValueName: ""; ValueData: "URL:SIP address"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\sip"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\sip\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\dialdesk.exe"" ""%1"""

[Run]
Filename: "{app}\dialdesk.exe"; Description: "{cm:LaunchProgram,Dialdesk}"; Flags: nowait postinstall skipifsilent

; The user's database (%LOCALAPPDATA%\dialdesk) is not the installer's: uninstalling leaves it.
