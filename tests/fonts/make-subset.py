#!/usr/bin/env python3
"""Cuts the small fonts the window tests draw with, so `cargo test` needs no system fonts.

The kittest harness panics on any character no font can draw (see tests/common/fonts.rs).
egui's built-in fonts cover Latin, Greek and Cyrillic; everything else the window can show
in the tests (names from the simulators in Chinese, Korean, Japanese, Arabic, Vietnamese,
emoji, and the UI's own symbols) must come from these subsets.

What it does:
  1. Collects every non-ASCII character in the string and char literals (escapes such as
     \\u{1F600} decoded, comments skipped) of src/**/*.rs, tests/ui*.rs and
     tests/common/, plus the upper and lower case of each (the UI upper-cases an avatar's
     initial).
  2. Drops the ones egui's default fonts already have (read from the epaint_default_fonts
     crate in the cargo registry), and those no font draws on its own (variation
     selectors, joiners, combining marks, unassigned code points).
  3. Gives each remaining character to the first source font below that has it, in the
     order tests/common/fonts.rs installs them, and cuts one subset per source with
     fontTools' pyftsubset (all OpenType layout kept, so Arabic joins as with the full
     font).
  4. Fails, naming them, if some character is in no source font.

Rerun it when a window test panics with "No glyph for ..." (a literal with a new script or
symbol), and commit the changed fonts:

    python3 -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools
    /tmp/ft/bin/python tests/fonts/make-subset.py

Source fonts (Debian 12 packages; override a path with the environment variable named):
  DEJAVU    fonts-dejavu-core  DejaVuSans.ttf                        DejaVu (Bitstream Vera)
  NOTO_CJK  fonts-noto-cjk     NotoSansCJK-Regular.ttc, face 2 (SC)  SIL OFL 1.1
  SYMBOLA   fonts-symbola      Symbola_hint.ttf (2.59)               free for any use
The licences are in tests/fonts/ (see its README.md).
"""

import glob
import os
import subprocess
import sys
import unicodedata

from fontTools.ttLib import TTCollection, TTFont

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fonts")
REGISTRY = os.path.expanduser(os.environ.get("CARGO_HOME", "~/.cargo")) + "/registry/src"


def egui_fonts_dir():
    dirs = sorted(glob.glob(f"{REGISTRY}/*/epaint_default_fonts-0.37.*/fonts"))
    if not dirs:
        sys.exit("epaint_default_fonts 0.37 is not in the cargo registry: run `cargo fetch`")
    return dirs[-1]


EGUI = egui_fonts_dir()
# egui's default Proportional family (epaint's FontDefinitions::default without the
# monochrome_emoji_fonts feature, which stagehand does not enable). Monospace has these
# too, after Hack, so what they lack is what either family lacks.
EGUI_DEFAULTS = [f"{EGUI}/Ubuntu-Light.ttf", f"{EGUI}/egui-icons.ttf"]

# (output file, source path, face index in a collection). The order is the fallback order,
# the same as tests/common/fonts.rs installs them in.
SOURCES = [
    (
        "DejaVuSans-subset.ttf",
        os.environ.get("DEJAVU", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        0,
    ),
    (
        "NotoSansCJK-subset.otf",
        os.environ.get("NOTO_CJK", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        2,  # Noto Sans CJK SC
    ),
    (
        "Symbola-subset.ttf",
        os.environ.get("SYMBOLA", "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
        0,
    ),
]


def literal_text(src):
    """The decoded contents of the string and char literals in Rust source, joined."""
    out = []
    i, n = 0, len(src)

    def escape(j):
        """Decodes the escape at src[j] == '\\'; returns (text, next index)."""
        c = src[j + 1]
        simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}
        if c in simple:
            return simple[c], j + 2
        if c == "x":
            return chr(int(src[j + 2 : j + 4], 16)), j + 4
        if c == "u":
            end = src.index("}", j)
            return chr(int(src[j + 3 : end].replace("_", ""), 16)), end + 1
        if c == "\n":  # line continuation: skips the newline and the next line's indent
            j += 2
            while j < n and src[j] in " \t\r\n":
                j += 1
            return "", j
        raise ValueError(f"unknown escape \\{c}")

    while i < n:
        c = src[i]
        if src.startswith("//", i):
            i = src.find("\n", i)
            i = n if i < 0 else i
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == '"':
            j, buf = i + 1, []
            while src[j] != '"':
                if src[j] == "\\":
                    t, j = escape(j)
                    buf.append(t)
                else:
                    buf.append(src[j])
                    j += 1
            out.append("".join(buf))
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\u{..}', '\'') or a lifetime / label ('a, 'static).
            if src[i + 1] == "\\":
                t, j = escape(i + 1)
                out.append(t)
                i = j + 1
            elif i + 2 < n and src[i + 2] == "'":
                out.append(src[i + 1])
                i += 3
            else:
                i += 1
        elif c.isalnum() or c == "_":
            # A whole identifier, so a name ending in r never starts a raw string. b"…",
            # c"…" and b'…' go on as plain literals; r"…", r#"…"#, br"…" and cr"…" here.
            j = i
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            word, i = src[i:j], j
            if word in ("r", "br", "cr") and src[j : j + 1] in ('"', "#"):
                hashes = 0
                while src[j] == "#":
                    hashes, j = hashes + 1, j + 1
                if src[j] == '"':  # else r#ident, a raw identifier
                    end = src.index('"' + "#" * hashes, j + 1)
                    out.append(src[j + 1 : end])
                    j = end + 1 + hashes
                i = j
        else:
            i += 1
    return "".join(out)


def wanted_chars():
    # The app (all of it: the window, the simulators it talks to, the unit tests' samples)
    # and the window tests with their helpers; the other tests never open a window.
    files = sorted(
        glob.glob(f"{ROOT}/src/**/*.rs", recursive=True)
        + glob.glob(f"{ROOT}/tests/ui*.rs")
        + glob.glob(f"{ROOT}/tests/common/**/*.rs", recursive=True)
    )
    chars = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = literal_text(f.read())
        for ch in set(text):
            chars.add(ch)
            chars.update(ch.upper())
            chars.update(ch.lower())
    return {
        ch
        for ch in chars
        if ord(ch) > 0x7F
        and unicodedata.category(ch) not in ("Cc", "Cf", "Cn", "Mn", "Me")
        and not 0xFE00 <= ord(ch) <= 0xFE0F
    }


def cmap(path, index):
    font = TTCollection(path).fonts[index] if path.endswith((".ttc", ".otc")) else TTFont(path)
    return set(font.getBestCmap())


def main():
    chars = wanted_chars()
    egui = set().union(*(cmap(p, 0) for p in EGUI_DEFAULTS))
    todo = {ch for ch in chars if ord(ch) not in egui}
    plan = []
    for out, path, index in SOURCES:
        has = {ch for ch in todo if ord(ch) in cmap(path, index)}
        todo -= has
        plan.append((out, path, index, has))
    if todo:
        listing = " ".join(f"{ch} U+{ord(ch):04X}" for ch in sorted(todo))
        sys.exit(f"no source font has: {listing}")
    for out, path, index, has in plan:
        dest = os.path.join(OUT, out)
        if not has:
            sys.exit(f"{out} would be empty: drop it here and in tests/common/fonts.rs")
        unicodes = ",".join(f"U+{ord(ch):04X}" for ch in sorted(has))
        subprocess.run(
            [
                sys.executable,  # pyftsubset, from the same fontTools
                "-m",
                "fontTools.subset",
                path,
                f"--font-number={index}",
                f"--unicodes={unicodes}",
                f"--output-file={dest}",
                "--layout-features=*",
                "--no-hinting",
                "--desubroutinize",
                "--name-IDs=*",
                "--name-legacy",
                "--name-languages=*",
                "--notdef-outline",
            ],
            check=True,
        )
        text = "".join(sorted(has))
        print(f"{out}: {len(has)} chars, {os.path.getsize(dest)} bytes: {text}")


if __name__ == "__main__":
    main()
