"""REFI-QDA interchange: codebooks (.qdc) and projects with codings (.qdpx).

QDA software — ATLAS.ti, NVivo, MAXQDA, QualCoder — exchanges codes through the
REFI-QDA standard (QDA-XML 1.0). A ``.qdpx`` file is a ZIP with ``project.qde``
(XML) and a ``sources/`` folder of plain-text sources named ``<GUID>.txt``; a
``.qdc`` file is a codebook on its own. Positions in ``PlainTextSelection`` are
0-based, end-exclusive character offsets into the source text — the same as
arviointi's offsets into ``Corpus.documents.text``.

Everything written is validated against the schemas shipped with the package
before the file is put in place, and GUIDs are deterministic (UUID 5 of the
code, document and coding), so exporting the same data twice gives identical
files.
"""

from __future__ import annotations

import uuid
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from .coding import CODING_COLUMNS, Code, Codebook, load_codebook
from ._files import atomic_output
from .errors import ArviointiError
from .readers import LIST_FIELDS

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

__all__ = ["export_qdpx", "export_qdc", "read_qdpx", "guid"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_NAMESPACE = uuid.UUID("5b0c7c1e-2f8a-5d0e-9b7a-61727669696e")  # arviointi's own UUID namespace
_VARIABLES = ("kind", "project", "title", "city", "cities", "region", "interviewee_role", "date", "published",
              "source", "fictional")


def guid(*parts: object) -> str:
    """A deterministic GUID (UUID 5) for a code, document or coding.

    Examples
    --------
    >>> guid("code", "haasteet") == guid("code", "haasteet")
    True
    """
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def _schema(name: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(files("arviointi") / "schemas" / name))


def _validate(xml: bytes, schema_name: str, path: Path) -> None:
    schema = _schema(schema_name)
    errors = list(schema.iter_errors(xml.decode("utf-8")))
    if errors:
        raise ArviointiError(f"internal error: the export is not valid against {schema_name}: {errors[0].reason}",
                             path=path)


def _code_elements(parent: ET.Element, codebook: Codebook, ns: str, code: Code | None = None) -> None:
    children = codebook.themes if code is None else [c.id for c in codebook.children(code.id)]
    for code_id in children:
        c = codebook[code_id]
        attrs = {"guid": guid("code", c.id), "name": c.label, "isCodable": "true"}
        if c.color:
            attrs["color"] = c.color
        el = ET.SubElement(parent, f"{{{ns}}}Code", attrs)
        ET.SubElement(el, f"{{{ns}}}Description").text = f"[{c.id}] {c.description}".strip()
        _code_elements(el, codebook, ns, c)


def _atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as fh:
        write(fh)


def _xml_bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def export_qdc(codebook: Codebook | str | Path | None, path: str | Path) -> Path:
    """Write a codebook as a REFI-QDA ``.qdc`` file (validated against ``Codebook.xsd``).

    Code names are the Finnish labels; each description starts with the code id in
    brackets (``[haasteet] …``) so that importing it back keeps the ids.
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    path = Path(path)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": "arviointi"})
    _code_elements(ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes"), book, CODEBOOK_NS)
    xml = _xml_bytes(root, CODEBOOK_NS)
    _validate(xml, "Codebook.xsd", path)
    _atomic_write(path, lambda fh: fh.write(xml))
    return path


def export_qdpx(
    corpus: Corpus,
    codings: pd.DataFrame,
    path: str | Path,
    *,
    codebook: Codebook | str | Path | None = None,
    project_name: str = "arviointi",
) -> Path:
    """Write corpus, codebook and codings as a REFI-QDA project (``.qdpx``).

    Every document becomes a ``TextSource`` (its cleaned ``text``, which all offsets
    refer to) with its metadata as variables; every coding row becomes a
    ``PlainTextSelection`` with a ``Coding`` of its code. The selection keeps the
    segment id as its name and the evidence as its description, so
    :func:`read_qdpx` returns identical codings. A ``coder`` column, if present,
    becomes the coding's user.
    """
    path = Path(path)
    if codebook is None and corpus.root is not None and (corpus.root / "codebook.yaml").is_file():
        codebook = corpus.root / "codebook.yaml"
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    unknown = sorted(set(codings["code"]) - {c.id for c in book.codes})
    if unknown:
        raise ArviointiError(f"codings use codes that are not in the codebook: {unknown}", path=path)
    docs = corpus.documents
    texts = dict(zip(docs["doc_id"], docs["text"]))
    bad = codings[~codings["doc_id"].isin(texts)]
    if not bad.empty:
        raise ArviointiError(f"codings refer to unknown documents: {sorted(set(bad['doc_id']))[:5]}", path=path)

    P = f"{{{PROJECT_NS}}}"
    root = ET.Element(f"{P}Project", {"name": project_name, "origin": "arviointi"})
    coders = sorted(set(codings["coder"].dropna())) if "coder" in codings.columns else []
    users = ET.SubElement(root, f"{P}Users")
    ET.SubElement(users, f"{P}User", {"guid": guid("user", "arviointi"), "name": "arviointi"})
    for coder in coders:
        ET.SubElement(users, f"{P}User", {"guid": guid("user", coder), "name": str(coder)})
    _code_elements(ET.SubElement(ET.SubElement(root, f"{P}CodeBook"), f"{P}Codes"), book, PROJECT_NS)
    variables = [v for v in _VARIABLES if v in docs.columns]
    var_el = ET.SubElement(root, f"{P}Variables")
    for v in variables:
        ET.SubElement(var_el, f"{P}Variable", {"guid": guid("variable", v), "name": v, "typeOfVariable": "Text"})
    sources = ET.SubElement(root, f"{P}Sources")
    payload: dict[str, str] = {}
    by_doc = {d: g for d, g in codings.groupby("doc_id", sort=False)}
    for row in docs.itertuples(index=False):
        doc_guid = guid("source", row.doc_id)
        payload[f"sources/{doc_guid}.txt"] = row.text
        src = ET.SubElement(sources, f"{P}TextSource", {"guid": doc_guid, "name": row.doc_id,
                                                        "plainTextPath": f"internal://{doc_guid}.txt"})
        group = by_doc.get(row.doc_id)
        if group is not None:
            for c in group.sort_values(["start_char", "end_char", "code"]).itertuples(index=False):
                coder = getattr(c, "coder", None) if "coder" in codings.columns else None
                sel = ET.SubElement(src, f"{P}PlainTextSelection", {
                    "guid": guid("selection", row.doc_id, c.start_char, c.end_char, c.code, coder or ""),
                    "name": str(c.segment_id), "startPosition": str(int(c.start_char)),
                    "endPosition": str(int(c.end_char))})
                if isinstance(c.evidence, str) and c.evidence:
                    ET.SubElement(sel, f"{P}Description").text = c.evidence
                attrs = {"guid": guid("coding", row.doc_id, c.start_char, c.end_char, c.code, coder or "")}
                if coder:
                    attrs["creatingUser"] = guid("user", coder)
                coding_el = ET.SubElement(sel, f"{P}Coding", attrs)
                ET.SubElement(coding_el, f"{P}CodeRef", {"targetGUID": guid("code", c.code)})
        for v in variables:
            value = getattr(row, v)
            if isinstance(value, list):
                value = "; ".join(value)
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
                continue
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            vv = ET.SubElement(src, f"{P}VariableValue")
            ET.SubElement(vv, f"{P}VariableRef", {"targetGUID": guid("variable", v)})
            ET.SubElement(vv, f"{P}TextValue").text = str(value)
    xml = _xml_bytes(root, PROJECT_NS)
    _validate(xml, "Project-mrt2019.xsd", path)

    def write(fh: IO[bytes]) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in [("project.qde", xml), *((n, t.encode("utf-8")) for n, t in sorted(payload.items()))]:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: reproducible archives
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)

    _atomic_write(path, write)
    return path


def read_qdpx(path: str | Path) -> tuple[Corpus, pd.DataFrame]:
    """Read a REFI-QDA project (e.g. coded in ATLAS.ti, NVivo, MAXQDA or QualCoder).

    Returns
    -------
    (Corpus, DataFrame)
        The sources as documents (their variables as metadata columns; segments are
        paragraphs) and the codings in :data:`arviointi.coding.CODING_COLUMNS` form
        plus ``coder``. Codes exported by arviointi keep their ids; codes made in a
        QDA tool get their name as id. ``theme`` is the code's top-level ancestor.

    Raises
    ------
    ArviointiError
        Not a ZIP, no ``project.qde``, XML invalid against the REFI-QDA schema, a
        missing source file, or a selection outside its source text.
    """
    from .corpus import Corpus, _paragraph_segments_frame

    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, FileNotFoundError, IsADirectoryError) as exc:
        raise ArviointiError(f"not a .qdpx (ZIP) file: {exc}", path=path) from None
    with archive:
        names = set(archive.namelist())
        if "project.qde" not in names:
            raise ArviointiError("the .qdpx has no project.qde", path=path)
        xml = archive.read("project.qde")
        errors = list(_schema("Project-mrt2019.xsd").iter_errors(xml.decode("utf-8")))
        if errors:
            raise ArviointiError(f"project.qde is not valid REFI-QDA: {errors[0].reason}", path=path,
                                 line=getattr(errors[0], "sourceline", None))
        root = ET.fromstring(xml)
        P = f"{{{PROJECT_NS}}}"
        codes: dict[str, tuple[str, str]] = {}  # guid → (code id, theme id)

        def walk(el: ET.Element, theme: str | None) -> None:
            for code in el.findall(f"{P}Code"):
                desc = code.findtext(f"{P}Description") or ""
                code_id = desc[1:desc.index("]")] if desc.startswith("[") and "]" in desc else code.get("name", "")
                codes[code.get("guid", "")] = (code_id, theme or code_id)
                walk(code, theme or code_id)

        codes_el = root.find(f"{P}CodeBook/{P}Codes")
        if codes_el is not None:
            walk(codes_el, None)
        users = {u.get("guid"): u.get("name") for u in root.findall(f"{P}Users/{P}User")}
        variables = {v.get("guid"): v.get("name") for v in root.findall(f"{P}Variables/{P}Variable")}
        rows, docs = [], []
        for src in root.findall(f"{P}Sources/{P}TextSource"):
            doc_id = src.get("name") or src.get("guid")
            text = src.findtext(f"{P}PlainTextContent")
            if text is None:
                ref = (src.get("plainTextPath") or "").replace("internal://", "sources/")
                if ref not in names:
                    raise ArviointiError(f"source {doc_id!r} points to {ref!r}, which is not in the archive",
                                         path=path)
                text = archive.read(ref).decode("utf-8")
            meta: dict[str, Any] = {"doc_id": doc_id, "kind": "document", "text": text}
            for vv in src.findall(f"{P}VariableValue"):
                name = variables.get(vv.find(f"{P}VariableRef").get("targetGUID"))  # type: ignore[union-attr]
                value = next((child.text for child in vv if child.tag != f"{P}VariableRef"), None)
                if name:
                    meta[name] = value
            docs.append(meta)
            for sel in src.findall(f"{P}PlainTextSelection"):
                start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
                if not 0 <= start <= end <= len(text):
                    raise ArviointiError(f"selection {start}–{end} lies outside source {doc_id!r}", path=path)
                for coding in sel.findall(f"{P}Coding"):
                    target = coding.find(f"{P}CodeRef").get("targetGUID")  # type: ignore[union-attr]
                    code_id, theme = codes.get(target, (target, target))
                    rows.append({"doc_id": doc_id, "segment_id": sel.get("name"), "start_char": start,
                                 "end_char": end, "code": code_id, "theme": theme,
                                 "evidence": sel.findtext(f"{P}Description") or "", "text": text[start:end],
                                 "coder": users.get(coding.get("creatingUser"))})
    documents = pd.DataFrame(docs)
    for col in LIST_FIELDS:
        if col in documents.columns:
            documents[col] = [[v.strip() for v in str(x).split(";") if v.strip()] if isinstance(x, str) else []
                              for x in documents[col]]
    if "fictional" in documents.columns:
        documents["fictional"] = documents["fictional"].map(lambda v: str(v).lower() == "true")
    for col in ("date", "published"):
        if col in documents.columns:
            documents[col] = pd.to_datetime(documents[col], errors="coerce")
    documents["n_chars"] = documents["text"].str.len()
    corpus = Corpus(documents=documents, segments=_paragraph_segments_frame(documents), root=None)
    codings = pd.DataFrame(rows, columns=[*CODING_COLUMNS[:8], "coder"])
    return corpus, codings
