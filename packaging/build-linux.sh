#!/usr/bin/env bash
# Builds Stagehand's Linux packages with cargo-packager, from [package.metadata.packager] in
# Cargo.toml: the .deb always, the AppImage with --appimage.
#
#   bash packaging/build-linux.sh [--appimage]
#
# The packages land in <cargo target dir>/packages (target/packages unless CARGO_TARGET_DIR
# or .cargo/config.toml says otherwise), and the script prints their paths.
# The AppImage needs the internet while it is built: cargo-packager downloads linuxdeploy.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGER_VERSION=0.11.8
formats=deb
case "${1:-}" in
  "") ;;
  --appimage) formats=deb,appimage ;;
  *) echo "usage: $0 [--appimage]" >&2; exit 2 ;;
esac

if ! cargo packager --version 2>/dev/null | grep -q "$PACKAGER_VERSION"; then
  # Built in a temporary folder, not in this project's target directory.
  (cd / && env -u CARGO_TARGET_DIR cargo install cargo-packager --locked --version "$PACKAGER_VERSION")
fi

target_dir=$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
out="$target_dir/packages"

cargo build --release --locked
cargo packager --release --formats "$formats" --out-dir "$out"
ls -1 "$out"/*.deb "$out"/*.AppImage 2>/dev/null || true
