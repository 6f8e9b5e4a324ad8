#!/usr/bin/env bash
# Regenerates every raster icon from the SVGs in assets/:
#   assets/icons/<N>x<N>.png   16 24 32 48 64 128 256 512 1024 (16 from the pixel-grid drawing)
#   assets/icons/stagehand.ico Windows: 16 24 32 48 64 128 256 in one file
#   assets/icons/stagehand.icns macOS: 16 to 1024, drawn on Apple's grid (the tile is
#                               824 of 1024 units, with a transparent margin around it)
# The results are committed, so packaging never needs these tools; run this after changing
# an SVG. Needs rsvg-convert, icotool and png2icns (Debian/Ubuntu:
# sudo apt-get install librsvg2-bin icoutils icnsutils).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || {
    echo "make-icons: $tool is missing (apt-get install librsvg2-bin icoutils icnsutils)" >&2
    exit 1
  }
done

svg=assets/stagehand.svg
svg16=assets/stagehand-16.svg
out=assets/icons
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

png() { # png SVG SIZE FILE
  rsvg-convert --width "$2" --height "$2" --keep-aspect-ratio "$1" --output "$3"
}

# One PNG per size. 16 px comes from the drawing on the 16-pixel grid, which stays crisp.
for size in 16 24 32 48 64 128 256 512 1024; do
  src=$svg
  [ "$size" = 16 ] && src=$svg16
  png "$src" "$size" "$out/${size}x${size}.png"
done

# Windows: one .ico with the sizes Explorer and the taskbar pick from; 256 stays PNG inside.
icotool --create --output "$out/stagehand.ico" \
  "$out/16x16.png" "$out/24x24.png" "$out/32x32.png" "$out/48x48.png" \
  "$out/64x64.png" "$out/128x128.png" --raw="$out/256x256.png"

# macOS: the same drawing with Apple's margin (the 240-unit tile becomes 824/1024 of the
# canvas), by widening the SVG's view box.
sed 's/viewBox="0 0 256 256"/viewBox="-21.1 -21.1 298.2 298.2"/' "$svg" > "$tmp/macos.svg"
mac=()
for size in 16 32 48 128 256 512 1024; do
  png "$tmp/macos.svg" "$size" "$tmp/mac-$size.png"
  mac+=("$tmp/mac-$size.png")
done
png2icns "$out/stagehand.icns" "${mac[@]}" >/dev/null

echo "make-icons: wrote $(ls "$out" | wc -l) files in $out"
