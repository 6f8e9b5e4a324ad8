#!/usr/bin/env bash
# Builds Stagehand.app and its .dmg on a Mac with cargo-packager, from
# [package.metadata.packager] in Cargo.toml and packaging/macos/Info.plist.
#
#   bash packaging/build-macos.sh               # for this Mac's processor
#   bash packaging/build-macos.sh --universal   # one app for Apple silicon and Intel
#
# Needs the Xcode command line tools (xcode-select --install) and Rust from rustup.
# The packages land in <cargo target dir>/packages (target/packages by default).
# Without a signing identity the app is unsigned, and the first start needs right-click >
# Open. To sign and notarize, see "Signing" in the README.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(uname -s)" = Darwin ] || { echo "build-macos.sh: run this on macOS" >&2; exit 1; }

PACKAGER_VERSION=0.11.8
# The oldest macOS the app runs on; the same as minimum-system-version in Cargo.toml.
export MACOSX_DEPLOYMENT_TARGET=11.0

if ! cargo packager --version 2>/dev/null | grep -q "$PACKAGER_VERSION"; then
  # Built in a temporary folder, not in this project's target directory.
  (cd / && env -u CARGO_TARGET_DIR cargo install cargo-packager --locked --version "$PACKAGER_VERSION")
fi

target_dir=$(cargo metadata --format-version 1 --no-deps |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
out="$target_dir/packages"

case "${1:-}" in
  "")
    cargo build --release --locked
    cargo packager --release --formats app,dmg --out-dir "$out"
    ;;
  --universal)
    rustup target add aarch64-apple-darwin x86_64-apple-darwin
    cargo build --release --locked --target aarch64-apple-darwin
    cargo build --release --locked --target x86_64-apple-darwin
    mkdir -p "$target_dir/universal-apple-darwin/release"
    lipo -create -output "$target_dir/universal-apple-darwin/release/stagehand" \
      "$target_dir/aarch64-apple-darwin/release/stagehand" \
      "$target_dir/x86_64-apple-darwin/release/stagehand"
    cargo packager --release --target universal-apple-darwin --formats app,dmg --out-dir "$out"
    ;;
  *) echo "usage: $0 [--universal]" >&2; exit 2 ;;
esac
ls -1d "$out"/*.app "$out"/*.dmg
