# Builds Stagehand's Windows installer with cargo-packager, from [package.metadata.packager]
# in Cargo.toml: stagehand_<version>_x64-setup.exe (NSIS; installs for the current user
# without administrator rights, with a Start menu entry), and with -Msi also an .msi (WiX).
#
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1 [-Msi]
#
# Needs Rust from rustup (x86_64-pc-windows-msvc) with the Visual Studio Build Tools'
# "Desktop development with C++" (the linker and rc.exe, which puts the icon in the .exe),
# and the internet: cargo-packager downloads NSIS (and WiX) the first time.
# -Msi needs the .NET Framework 3.5 feature, which WiX 3 runs on.
# The packages land in <cargo target dir>\packages (target\packages by default).
param([switch]$Msi)
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed ($LASTEXITCODE)" }
}

$PackagerVersion = '0.11.8'
# Windows PowerShell stops on a native command's redirected stderr under 'Stop': ask first.
$ErrorActionPreference = 'Continue'
$installed = (& cargo packager --version 2>$null) -join ' '
$ErrorActionPreference = 'Stop'
if ($installed -notmatch [regex]::Escape($PackagerVersion)) {
    Invoke-Checked cargo @('install', 'cargo-packager', '--locked', '--version', $PackagerVersion)
}

$targetDir = (cargo metadata --format-version 1 --no-deps | ConvertFrom-Json).target_directory
$out = Join-Path $targetDir 'packages'
$formats = if ($Msi) { 'nsis,wix' } else { 'nsis' }

Invoke-Checked cargo @('build', '--release', '--locked')
Invoke-Checked cargo @('packager', '--release', '--formats', $formats, '--out-dir', $out)
Get-ChildItem $out -Include *.exe, *.msi -Recurse | ForEach-Object { $_.FullName }
