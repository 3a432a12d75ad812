"""A small terminal screen: feed it what a program wrote, read back rows and styles.

Enough of a VT100/xterm to follow Textual's output (absolute cursor moves, SGR
colours, erase line/screen, the alternate screen), so a benchmark can ask "which
row of the list has the cursor's background now?" instead of grepping the byte
stream. Plain standard library; anything it does not know (modes, OSC titles,
mouse reporting) is skipped.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

Style = tuple[str, str, bool]
"""(foreground, background, reverse): colours as the SGR parameters that set them."""

DEFAULT: Style = ("", "", False)

# CSI with its parameters, OSC/DCS/APC/PM/SOS strings (to BEL or ST), other ESC pairs.
_SEQUENCE = re.compile(
    r"\x1b\[([0-?]*)([ -/]*)([@-~])"
    r"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[ -/]*[0-~]"
)
_INCOMPLETE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|[\]P^_X][^\x07\x1b]*|[ -/]*)$")


@dataclass
class Cell:
    char: str = " "
    style: Style = DEFAULT


class VTScreen:
    """``columns`` x ``rows`` cells; ``feed`` bytes as they arrive (split anywhere)."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = columns, rows
        self.cells = [[Cell() for _ in range(columns)] for _ in range(rows)]
        self.x = self.y = 0
        self._fg, self._bg, self._reverse = "", "", False
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    # -- reading ---------------------------------------------------------------------

    def line(self, row: int) -> str:
        """The text of one row (0-based), trailing blanks kept."""
        return "".join(c.char for c in self.cells[row])

    def text(self) -> str:
        return "\n".join(self.line(r).rstrip() for r in range(self.rows))

    def background(self, row: int, column: int) -> str:
        """The background colour at a cell (the foreground when it is reversed)."""
        fg, bg, reverse = self.cells[row][column].style
        return (fg or "default-fg") if reverse else bg

    # -- writing ---------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        text = self._pending + self._decoder.decode(data)
        tail = _INCOMPLETE.search(text)
        if tail and tail.group(0):
            self._pending, text = tail.group(0), text[: tail.start()]
        else:
            self._pending = ""
        pos = 0
        for match in _SEQUENCE.finditer(text):
            self._print(text[pos:match.start()])
            pos = match.end()
            if match.group(3) is not None:
                self._csi(match.group(1), match.group(3))
        self._print(text[pos:])

    def _print(self, text: str) -> None:
        for char in text:
            if char == "\r":
                self.x = 0
            elif char == "\n":
                self.y = min(self.rows - 1, self.y + 1)
            elif char == "\b":
                self.x = max(0, self.x - 1)
            elif char < " " or char == "\x7f":
                continue
            else:
                if unicodedata.combining(char):
                    continue
                wide = unicodedata.east_asian_width(char) in "WF"
                if self.x >= self.columns:
                    self.x = 0
                    self.y = min(self.rows - 1, self.y + 1)
                style = (self._fg, self._bg, self._reverse)
                self.cells[self.y][self.x] = Cell(char, style)
                self.x += 1
                if wide and self.x < self.columns:
                    self.cells[self.y][self.x] = Cell("", style)
                    self.x += 1

    def _csi(self, params: str, final: str) -> None:
        if params.startswith("?") or params.startswith(">") or params.startswith("<"):
            if final in "hl" and params in ("?1049", "?47", "?1047"):
                self._erase_screen()  # entering or leaving the alternate screen
            return
        numbers = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")]
        first = numbers[0] if numbers and numbers[0] else 1
        if final in "Hf":
            row = numbers[0] if numbers and numbers[0] else 1
            col = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.y = min(self.rows - 1, max(0, row - 1))
            self.x = min(self.columns - 1, max(0, col - 1))
        elif final == "A":
            self.y = max(0, self.y - first)
        elif final == "B":
            self.y = min(self.rows - 1, self.y + first)
        elif final == "C":
            self.x = min(self.columns - 1, self.x + first)
        elif final == "D":
            self.x = max(0, self.x - first)
        elif final == "G":
            self.x = min(self.columns - 1, max(0, first - 1))
        elif final == "d":
            self.y = min(self.rows - 1, max(0, first - 1))
        elif final == "m":
            self._sgr(numbers if params else [0])
        elif final == "K":
            mode = numbers[0] if numbers else 0
            row = self.cells[self.y]
            span = {0: range(self.x, self.columns), 1: range(0, self.x + 1)}.get(
                mode, range(self.columns))
            for col in span:
                row[col] = Cell(" ", (self._fg, self._bg, self._reverse))
        elif final == "J":
            mode = numbers[0] if numbers else 0
            if mode in (2, 3):
                self._erase_screen()
            elif mode == 0:
                for col in range(self.x, self.columns):
                    self.cells[self.y][col] = Cell()
                for row in range(self.y + 1, self.rows):
                    self.cells[row] = [Cell() for _ in range(self.columns)]

    def _erase_screen(self) -> None:
        self.cells = [[Cell() for _ in range(self.columns)] for _ in range(self.rows)]

    def _sgr(self, numbers: list[int]) -> None:
        i = 0
        while i < len(numbers):
            n = numbers[i]
            if n == 0:
                self._fg, self._bg, self._reverse = "", "", False
            elif n == 7:
                self._reverse = True
            elif n == 27:
                self._reverse = False
            elif 30 <= n <= 37 or 90 <= n <= 97:
                self._fg = str(n)
            elif n == 39:
                self._fg = ""
            elif 40 <= n <= 47 or 100 <= n <= 107:
                self._bg = str(n)
            elif n == 49:
                self._bg = ""
            elif n in (38, 48):
                if i + 1 < len(numbers) and numbers[i + 1] == 5:
                    value, i = f"5;{numbers[i + 2] if i + 2 < len(numbers) else 0}", i + 2
                elif i + 1 < len(numbers) and numbers[i + 1] == 2:
                    value = "2;" + ";".join(str(v) for v in numbers[i + 2:i + 5])
                    i += 4
                else:
                    value = ""
                if n == 38:
                    self._fg = value
                else:
                    self._bg = value
            i += 1
