"""Progress of long runs: one channel, on standard error, silenced by a flag.

A bar is drawn only when standard error is a terminal and ``quiet`` is not
set; piped output gets nothing of it (STYLE: "progress through one channel
that a flag can silence").
"""
from __future__ import annotations

import sys
from typing import Optional, TextIO

#: Width of the bar in characters.
BAR = 28


class Progress:
    """``update(done, total, failures, elapsed)`` redraws one status line."""

    def __init__(self, label: str, *, quiet: bool = False,
                 stream: Optional[TextIO] = None):
        self.stream = stream or sys.stderr
        self.label = label
        self.active = not quiet and getattr(self.stream, "isatty",
                                            lambda: False)()
        self._drawn = False

    def update(self, done: int, total: int, failures: int = 0,
               elapsed: float = 0.0) -> None:
        if not self.active or total <= 0:
            return
        filled = int(BAR * done / total)
        left = elapsed / done * (total - done) if done else float("nan")
        eta = "--" if left != left else _clock(left)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (BAR - filled)}]"
                          f" {done}/{total} done, {failures} failed, "
                          f"{eta} left ")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"
