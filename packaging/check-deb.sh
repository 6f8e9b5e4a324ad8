#!/usr/bin/env bash
# Checks a Stagehand .deb the way a desktop will use it, without installing it: unpacks it
# into a scratch root (dpkg -x) and checks that
#   - the control file names the package, its architecture and its dependencies;
#   - the binary is /usr/bin/stagehand and runs (a headless command against the demo);
#   - /usr/share/applications/stagehand.desktop validates (desktop-file-validate), starts
#     /usr/bin/stagehand, names the icon, and its window class matches the app id;
#   - the icon is in the hicolor theme at every size, each PNG as large as its folder says,
#     and as SVG under scalable/.
#
#   bash packaging/check-deb.sh path/to/stagehand_<version>_<arch>.deb
#
# Needs dpkg-deb and desktop-file-validate (Debian: desktop-file-utils).
set -euo pipefail

deb=${1:?usage: $0 DEB}
[ -f "$deb" ] || { echo "check-deb: no such file: $deb" >&2; exit 2; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

failures=0
passes=0
ok() { echo "  ok   $*"; passes=$((passes + 1)); }
bad() { echo "  FAIL $*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

echo "check-deb: $deb"
dpkg-deb --info "$deb" | sed 's/^/  | /'
field() { dpkg-deb --field "$deb" "$1"; }
check "Package is stagehand" test "$(field Package)" = stagehand
check "Architecture is $(dpkg --print-architecture)" test "$(field Architecture)" = "$(dpkg --print-architecture)"
check "Depends names libc6" grep -q libc6 <<<"$(field Depends)"

dpkg-deb --contents "$deb" | awk '{print "  | " $NF}'
dpkg -x "$deb" "$root"

# The binary.
bin=$root/usr/bin/stagehand
check "/usr/bin/stagehand is an executable" test -x "$bin"
if out=$("$bin" --demo --json trovo whoami 2>&1); then
  ok "/usr/bin/stagehand runs: stagehand --demo --json trovo whoami -> $out"
else
  bad "/usr/bin/stagehand --demo --json trovo whoami failed: $out"
fi

# The desktop entry.
desktop=$root/usr/share/applications/stagehand.desktop
if [ -f "$desktop" ]; then
  if report=$(desktop-file-validate "$desktop" 2>&1); then
    ok "stagehand.desktop validates${report:+ (${report#"$desktop": })}"
  else
    bad "stagehand.desktop does not validate: $report"
  fi
  key() { sed -n "/^\[Desktop Entry\]/,/^\[/s/^$1=//p" "$desktop" | head -n 1; }
  exec_bin=$(key Exec | awk '{print $1}')
  check "Exec starts stagehand (found in /usr/bin)" test -x "$root/usr/bin/$exec_bin"
  check "Icon=stagehand" test "$(key Icon)" = stagehand
  check "StartupWMClass=stagehand (the window's app id)" test "$(key StartupWMClass)" = stagehand
  check "a 'Try the Demo' action runs stagehand --demo" grep -qx "Exec=stagehand --demo" "$desktop"
else
  bad "no /usr/share/applications/stagehand.desktop"
fi

# The icons.
png_size() { # prints WIDTHxHEIGHT of a PNG, from its IHDR chunk
  od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
for size in 16 24 32 48 64 128 256 512; do
  icon=$root/usr/share/icons/hicolor/${size}x${size}/apps/stagehand.png
  if [ -f "$icon" ]; then
    check "hicolor/${size}x${size}/apps/stagehand.png is ${size}x${size}" test "$(png_size "$icon")" = "${size}x${size}"
  else
    bad "no hicolor/${size}x${size}/apps/stagehand.png"
  fi
done
check "hicolor/scalable/apps/stagehand.svg" grep -q "<svg" "$root/usr/share/icons/hicolor/scalable/apps/stagehand.svg"

echo "check-deb: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
