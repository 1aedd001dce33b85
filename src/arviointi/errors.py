"""Errors and warnings raised by arviointi for bad input.

Every problem with a user's files is reported as an :class:`ArviointiError`
(or a subclass) whose message names the file, and the line where it is known,
so that a researcher can open the file and fix it. Recoverable problems
(a legacy encoding, say) are reported with :class:`ArviointiWarning`.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = ["ArviointiError", "ArviointiWarning"]


class ArviointiError(Exception):
    """Bad input: the message names the file (and the line, where known).

    Attributes
    ----------
    path : pathlib.Path or None
        The file or folder the problem is in.
    line : int or None
        1-based line number in that file, where known.

    Examples
    --------
    >>> err = ArviointiError("empty file", path="aineisto/haastattelu.txt", line=3)
    >>> str(err)
    'aineisto/haastattelu.txt, line 3: empty file'
    """

    def __init__(
        self, message: str, *, path: str | PathLike[str] | None = None, line: int | None = None
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        super().__init__(_locate(message, self.path, line))


class ArviointiWarning(UserWarning):
    """A recoverable problem in the input (e.g. a legacy encoding was guessed)."""


def _locate(message: str, path: Path | None, line: int | None) -> str:
    if path is None:
        return message
    where = str(path)
    if line is not None:
        where += f", line {line}"
    return f"{where}: {message}"
