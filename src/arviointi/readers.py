"""Reading text files: encodings, line endings, YAML front matter, metadata files.

Researchers' files come from Word exports, old Windows machines, Macs and
transcription services. :func:`read_text` decodes them all to the same form —
Unicode NFC with ``\\n`` line endings — and says, with an
:class:`~arviointi.errors.ArviointiWarning`, when it had to guess.

Decoding rules, in order:

1. A byte-order mark decides: UTF-8 with BOM, UTF-16 (LE/BE) or UTF-32 (LE/BE).
   The file is decoded accordingly and a warning names the encoding.
2. A file that is empty (or only whitespace) is an error; so is one with NUL
   bytes and no UTF-16/32 BOM (a binary file: .docx, .pdf, an image).
3. Valid UTF-8 is read as UTF-8, silently.
4. Anything else is decoded as Windows-1252 (cp1252, the superset of Latin-1 that
   Finnish Windows machines write), or Latin-1 where cp1252 leaves a byte
   undefined, with a warning naming the first line that was not UTF-8.

The decoded text is normalised to NFC (macOS writes "ä" as "a" + combining
diaeresis, which would make "kävijä" and "kävijä" different words) and CR/CRLF
line endings become LF.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ArviointiError, ArviointiWarning

__all__ = ["DecodedText", "read_text", "split_front_matter", "read_metadata_file"]

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE with BOM"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE with BOM"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE with BOM"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE with BOM"),
)

_ALLOWED_CONTROL = {"\n", "\t", "\f", "\v"}


@dataclass(frozen=True)
class DecodedText:
    """A decoded file: its text (NFC, LF line endings) and how it was read."""

    text: str
    encoding: str
    path: Path
    notes: tuple[str, ...] = field(default=())


def read_text(path: str | Path) -> DecodedText:
    """Read a text file in whatever encoding researchers' files come in.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    DecodedText
        ``text`` in NFC with ``\\n`` line endings and the ``encoding`` it was read with.

    Raises
    ------
    ArviointiError
        The file is missing, empty, binary, or cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "muistio.txt"
    >>> _ = p.write_bytes("Asunnottomuus väheni.\\r\\n".encode("cp1252"))
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     d = read_text(p)
    >>> d.text, d.encoding
    ('Asunnottomuus väheni.\\n', 'cp1252')
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArviointiError("file not found", path=path) from None
    except IsADirectoryError:
        raise ArviointiError("expected a file, found a folder", path=path) from None
    except OSError as exc:
        raise ArviointiError(f"cannot read file ({exc.strerror})", path=path) from None

    text, encoding, notes = _decode(raw, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise ArviointiError("file is empty (no text after decoding)", path=path)
    _check_control_characters(text, path)
    for note in notes:
        warnings.warn(f"{path}: {note}", ArviointiWarning, stacklevel=3)
    return DecodedText(text=text, encoding=encoding, path=path, notes=tuple(notes))


def _decode(raw: bytes, path: Path) -> tuple[str, str, list[str]]:
    if not raw.strip():
        raise ArviointiError("file is empty", path=path)
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise ArviointiError(
                    f"starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte {exc.start})",
                    path=path,
                ) from None
            if codec == "utf-8-sig":
                note = "encoding was UTF-8 with BOM; the BOM was removed"
            else:
                note = f"encoding was {label}; decoded to Unicode"
            return text.lstrip("\ufeff"), codec.replace("-sig", "-bom"), [note]
    if b"\x00" in raw:
        raise ArviointiError(
            "this looks like a binary file (it contains NUL bytes), not plain text; "
            "save it as UTF-8 text (.txt) first",
            path=path,
        )
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    try:
        text, codec = raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, codec = raw.decode("latin-1"), "latin-1"
    note = (
        f"line {line} is not valid UTF-8; the file was decoded as {codec} "
        f"({'Windows-1252' if codec == 'cp1252' else 'ISO-8859-1'}). "
        "Check the letters ä, ö, å; re-save the file as UTF-8 to silence this warning"
    )
    return text, codec, [note]


def _check_control_characters(text: str, path: Path) -> None:
    bad = [ch for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROL]
    if len(bad) > max(3, len(text[:20000]) // 100):
        first = next(i for i, ch in enumerate(text) if ch in bad)
        raise ArviointiError(
            "this looks like a binary file (many control characters), not plain text",
            path=path,
            line=text.count("\n", 0, first) + 1,
        )


def split_front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], str, int]:
    """Split optional YAML front matter from a document.

    Front matter is a YAML mapping between a first line ``---`` and a closing
    line ``---`` (or ``...``).

    Returns
    -------
    (metadata, body, body_line)
        ``body_line`` is the 1-based line of the file where the body starts.

    Raises
    ------
    ArviointiError
        The block is never closed, is not valid YAML (the message gives the line),
        or is not a mapping.

    Examples
    --------
    >>> meta, body, line = split_front_matter("---\\ncity: Espoo\\n---\\nHyvä käytäntö.\\n", "x.md")
    >>> meta, body, line
    ({'city': 'Espoo'}, 'Hyvä käytäntö.\\n', 4)
    """
    path = Path(path)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            body = "\n".join(lines[i + 1 :])
            break
    else:
        raise ArviointiError("front matter opened with '---' is never closed", path=path, line=1)
    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None  # +1 for the '---' line, +1 for 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArviointiError(f"front matter is not valid YAML: {problem}", path=path, line=line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ArviointiError(
            f"front matter must be a YAML mapping (key: value), got {type(meta).__name__}",
            path=path,
            line=2,
        )
    return meta, body, i + 2


def read_metadata_file(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a folder's metadata file: ``metadata.yaml``/``.yml`` or ``metadata.csv``.

    YAML: a mapping from file name to a mapping of fields, or a list of mappings
    each with a ``file`` key. CSV: one row per file, with a ``file`` column.
    List-valued fields in CSV (``cities``) are separated by ``;``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "metadata.yaml"
    >>> _ = p.write_text("muistio.txt:\\n  project: AKU\\n  cities: [Lahti]\\n", encoding="utf-8")
    >>> read_metadata_file(p)
    {'muistio.txt': {'project': 'AKU', 'cities': ['Lahti']}}
    """
    path = Path(path)
    decoded = read_text(path)
    if path.suffix.lower() == ".csv":
        return _read_metadata_csv(decoded.text, path)
    try:
        data = yaml.safe_load(decoded.text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArviointiError(
            f"metadata file is not valid YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    out: dict[str, dict[str, Any]] = {}
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = []
        for n, entry in enumerate(data, start=1):
            if not isinstance(entry, dict) or "file" not in entry:
                raise ArviointiError(f"entry {n} has no 'file' key", path=path)
            entry = dict(entry)
            items.append((entry.pop("file"), entry))
    else:
        raise ArviointiError("metadata file must map file names to their fields", path=path)
    for name, fields in items:
        if not isinstance(fields, dict):
            raise ArviointiError(f"metadata for {name!r} must be a mapping of fields", path=path)
        out[str(name)] = fields
    return out


def _read_metadata_csv(text: str, path: Path) -> dict[str, dict[str, Any]]:
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or "file" not in reader.fieldnames:
        raise ArviointiError("metadata CSV needs a 'file' column", path=path, line=1)
    out: dict[str, dict[str, Any]] = {}
    for line_no, row in enumerate(reader, start=2):
        name = (row.pop("file") or "").strip()
        if not name:
            raise ArviointiError("row has an empty 'file' value", path=path, line=line_no)
        fields: dict[str, Any] = {}
        for key, value in row.items():
            if key is None:
                raise ArviointiError("row has more values than the header has columns", path=path, line=line_no)
            value = (value or "").strip()
            if value == "":
                continue
            fields[key] = [v.strip() for v in value.split(";") if v.strip()] if key in LIST_FIELDS else value
        out[name] = fields
    return out


#: Metadata fields that hold lists of names (a document can name several cities).
LIST_FIELDS = ("cities", "region")
