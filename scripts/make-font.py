#!/usr/bin/env python3
"""Builds assets/fonts/NotoSansSC-wenping.otf: Noto Sans CJK SC Regular cut down to the characters
wenping's charts and reports need: GB 2312 (all 6763 hanzi and its symbols), ASCII, Latin-1,
general and CJK punctuation, full-width forms, and every character of the bundled model files.

Reproduce on Debian:  apt-get install fonts-noto-cjk && pip install fonttools && scripts/make-font.py
The font is licensed under the SIL Open Font License 1.1 (assets/fonts/OFL.txt).
"""
import pathlib
import subprocess
import sys

from fontTools.ttLib import TTCollection

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
OUT = ROOT / "assets" / "fonts" / "NotoSansSC-wenping.otf"


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def ranges(*spans: tuple[int, int]) -> set[str]:
    return {chr(c) for start, end in spans for c in range(start, end + 1)}


def main() -> None:
    collection = TTCollection(str(SOURCE))
    index = next(
        i for i, font in enumerate(collection.fonts) if font["name"].getDebugName(4) == "Noto Sans CJK SC"
    )
    chars = gb2312()
    chars |= ranges((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2150, 0x218F),
                    (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x25A0, 0x25FF),
                    (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x0391, 0x03C9), (0x2070, 0x209F))
    for model in sorted((ROOT / "models").glob("*")):
        chars |= set(model.read_text(encoding="utf-8"))
    chars = {c for c in chars if c.isprintable() or c == " "}
    text_file = OUT.with_suffix(".chars.txt")
    text_file.write_text("".join(sorted(chars)), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", str(SOURCE), f"--font-number={index}",
         f"--text-file={text_file}", f"--output-file={OUT}", "--layout-features=*",
         "--name-IDs=*", "--name-languages=*", "--no-hinting"],
        check=True,
    )
    text_file.unlink()
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
