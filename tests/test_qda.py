"""REFI-QDA: schema-valid exports, identical round trip, reproducible files, projects from QDA tools."""

from __future__ import annotations

import hashlib
import uuid
import zipfile

import pandas as pd
import pytest

from arviointi import ArviointiError, autocode, export_qdc, export_qdpx, load_codebook, read_qdpx
from arviointi.qda import guid

from .conftest import CORPUS, needs_shared

COLUMNS = ["doc_id", "segment_id", "start_char", "end_char", "code", "theme", "evidence", "text"]


@pytest.fixture(scope="module")
def codings(corpus, token_cache):
    return autocode(corpus, method="rules", cache_dir=token_cache)


@pytest.fixture(scope="module")
def qdpx(corpus, codings, tmp_path_factory):
    return export_qdpx(corpus, codings, tmp_path_factory.mktemp("qda") / "arviointi.qdpx")


def test_qdpx_validates_against_the_refi_schema(qdpx):
    import xmlschema

    schema = xmlschema.XMLSchema(str(needs_shared("refi-qda/Project-mrt2019.xsd")))
    with zipfile.ZipFile(qdpx) as zf:
        schema.validate(zf.read("project.qde").decode("utf-8"))
        names = zf.namelist()
    assert names[0] == "project.qde"
    assert sum(n.startswith("sources/") and n.endswith(".txt") for n in names) == 17


def test_qdc_validates_against_the_refi_schema(tmp_path):
    import xmlschema

    path = export_qdc(load_codebook(CORPUS / "codebook.yaml"), tmp_path / "koodikirja.qdc")
    xmlschema.XMLSchema(str(needs_shared("refi-qda/Codebook.xsd"))).validate(path.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    assert text.count("<Code ") == 26 and 'name="Hyvät käytännöt"' in text and 'color="#55A868"' in text


def test_round_trip_returns_identical_codings(corpus, codings, qdpx):
    corpus2, codings2 = read_qdpx(qdpx)
    a = codings[COLUMNS].sort_values(COLUMNS).reset_index(drop=True)
    b = codings2[COLUMNS].sort_values(COLUMNS).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    docs = corpus2.documents.set_index("doc_id")
    assert docs.loc["espoo_01_asumisneuvoja", "city"] == "Espoo" and bool(docs.loc["espoo_01_asumisneuvoja", "fictional"])
    assert docs.loc["aku_kansainvalinen_huomio", "cities"] == ["Espoo", "Jyväskylä", "Kuopio", "Lahti", "Tampere", "Vantaa"]
    assert (docs["text"] == corpus.documents.set_index("doc_id")["text"]).all()


def test_exports_are_reproducible(corpus, codings, qdpx, tmp_path):
    again = export_qdpx(corpus, codings, tmp_path / "again.qdpx")
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(qdpx.read_bytes()).hexdigest()
    assert uuid.UUID(guid("code", "haasteet")).version == 5
    assert guid("code", "haasteet") != guid("code", "hyvat_kaytannot")
    with zipfile.ZipFile(qdpx) as zf:
        assert f'guid="{guid("code", "haasteet")}"' in zf.read("project.qde").decode("utf-8")


def test_coders_become_users_and_come_back(corpus, codings, tmp_path):
    two = pd.concat([codings.head(5).assign(coder="tutkija A"), codings.head(3).assign(coder="tutkija B")])
    path = export_qdpx(corpus, two, tmp_path / "kaksi.qdpx")
    _, back = read_qdpx(path)
    assert back.groupby("coder").size().to_dict() == {"tutkija A": 5, "tutkija B": 3}


QDE_FROM_A_TOOL = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="QualCoder-projekti">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="Maija"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Vertaistuki" isCodable="true">
      <Code guid="33333333-3333-3333-3333-333333333333" name="Ryhmät" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="haastattelu1">
      <PlainTextContent>Vertaisryhmä auttoi minua paljon.</PlainTextContent>
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555555" startPosition="0" endPosition="12">
        <Coding guid="66666666-6666-6666-6666-666666666666" creatingUser="11111111-1111-1111-1111-111111111111">
          <CodeRef targetGUID="33333333-3333-3333-3333-333333333333"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def _qdpx(tmp_path, qde: str, extra: dict[str, str] | None = None):
    path = tmp_path / "tyokalu.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
    return path


def test_project_coded_in_a_qda_tool(tmp_path):
    corpus, codings = read_qdpx(_qdpx(tmp_path, QDE_FROM_A_TOOL))
    assert corpus.documents["doc_id"].tolist() == ["haastattelu1"]
    row = codings.iloc[0]
    assert (row["code"], row["theme"], row["text"], row["coder"]) == ("Ryhmät", "Vertaistuki", "Vertaisryhmä", "Maija")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"not a \.qdpx \(ZIP\) file"),
        ({"other.xml": "<x/>"}, r"the \.qdpx has no project\.qde"),
        ({"project.qde": "<Project xmlns='urn:QDA-XML:project:1.0'/>"}, r"project\.qde is not valid REFI-QDA"),
        ({"project.qde": QDE_FROM_A_TOOL.replace('endPosition="12"', 'endPosition="999"')},
         r"selection 0–999 lies outside source 'haastattelu1'"),
        ({"project.qde": QDE_FROM_A_TOOL.replace(
            "<PlainTextContent>Vertaisryhmä auttoi minua paljon.</PlainTextContent>", "").replace(
            'name="haastattelu1"', 'name="haastattelu1" plainTextPath="internal://puuttuu.txt"')},
         r"source 'haastattelu1' points to 'sources/puuttuu.txt'"),
    ],
)
def test_bad_qdpx_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "rikki.qdpx"
    if content is None:
        path.write_bytes(b"not a zip")
    else:
        with zipfile.ZipFile(path, "w") as zf:
            for name, text in content.items():
                zf.writestr(name, text)
    with pytest.raises(ArviointiError, match=message):
        read_qdpx(path)


def test_export_refuses_unknown_codes_and_leaves_no_file(corpus, codings, tmp_path):
    bad = codings.head(2).assign(code="ei_koodikirjassa")
    with pytest.raises(ArviointiError, match=r"codes that are not in the codebook: \['ei_koodikirjassa'\]"):
        export_qdpx(corpus, bad, tmp_path / "x.qdpx")
    assert list(tmp_path.iterdir()) == []
