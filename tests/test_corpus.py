"""Loading corpora: the real seed documents, plain folders and every kind of bad input."""

from __future__ import annotations

import pandas as pd
import pytest

import arviointi
from arviointi import ArviointiError, ArviointiWarning, load_corpus
from arviointi.corpus import DOCUMENT_COLUMNS, SEGMENT_COLUMNS

from .conftest import AKU_CITIES, CORPUS, needs_shared

DECLARED = {
    # doc_id: (project, cities, published, seed file)
    "kotimatkalla_pilottikunnat": ("#kotimatkalla", ["Kouvola", "Mikkeli", "Parainen"], "2017-08-31", "000_5dd1e943607fb33c.txt"),
    "aku_strategiatyo": ("AKU", [], "2016-06-06", "001_3c28413e150c7d08.txt"),
    "nestori_keusote": ("Nestori", [], "2021-10-20", "002_bedad232663daa43.txt"),
    "aku_kansainvalinen_huomio": ("AKU", AKU_CITIES, "2019-10-08", "003_ac813a86bd555ec6.txt"),
    "vokista_kotiin": ("Vokista kotiin!", [], None, "004_689de715563faf38.txt"),
}


def test_seed_corpus_has_the_five_documents_with_declared_metadata(corpus):
    docs = corpus.documents[corpus.documents["kind"] == "document"].set_index("doc_id")
    assert sorted(docs.index) == sorted(DECLARED)
    assert list(corpus.documents.columns[:14]) == DOCUMENT_COLUMNS[:14]
    for doc_id, (project, cities, published, seed) in DECLARED.items():
        row = docs.loc[doc_id]
        assert row["project"] == project
        assert row["cities"] == cities
        assert (str(row["published"].date()) if pd.notna(row["published"]) else None) == published
        assert row["kind"] == "document"
        assert bool(row["fictional"]) is False  # real, public documents
        assert row["source"].startswith("https://")
        assert row["seed_file"] == seed
        assert row["encoding"] == "utf-8"
    assert docs.loc["nestori_keusote", "region"] == ["Keski-Uusimaa (Keusote)"]
    assert docs.loc["aku_kansainvalinen_huomio", "organisation"] == "Asumisen rahoitus- ja kehittämiskeskus ARA"
    assert pd.isna(docs.loc["vokista_kotiin", "updated"])


def test_documents_per_project(corpus):
    assert corpus.documents.groupby(["kind", "project"]).size().to_dict() == {
        ("document", "#kotimatkalla"): 1, ("document", "AKU"): 2, ("document", "Nestori"): 1,
        ("document", "Vokista kotiin!"): 1, ("transcript", "AKU"): 12,
    }


def test_corpus_raw_text_is_the_seed_text(corpus):
    seeds = needs_shared("seeds")
    docs = corpus.documents[corpus.documents["kind"] == "document"]
    for doc_id, seed, raw in zip(docs["doc_id"], docs["seed_file"], docs["raw_text"]):
        assert raw == (seeds / seed).read_text(encoding="utf-8").strip("\n"), doc_id


def test_segments_are_paragraphs_with_offsets_into_cleaned_text(corpus):
    assert list(corpus.segments.columns) == SEGMENT_COLUMNS
    assert corpus.segments.groupby("doc_id").size().to_dict() == {
        "aku_kansainvalinen_huomio": 14, "aku_strategiatyo": 10, "kotimatkalla_pilottikunnat": 8,
        "nestori_keusote": 12, "vokista_kotiin": 11,
        **{doc_id: n for doc_id, n in zip(corpus.documents["doc_id"], corpus.documents["n_turns"]) if n == n},
    }
    texts = corpus.documents.set_index("doc_id")["text"]
    for row in corpus.segments.itertuples():
        assert texts[row.doc_id][row.start_char:row.end_char] == row.text
        assert "\n\n" not in row.text and row.text == row.text.strip()
    first = corpus.segments.iloc[0]
    assert first["segment_id"] == "aku_kansainvalinen_huomio:001"
    assert first["text"] == "Suomen asunnottomuustyö kiinnostaa maailmalla"
    assert corpus.segments["segment_id"].is_unique


def test_plain_folder_of_txt_files_loads_with_defaults(folder):
    (folder / "espoo_muistio.txt").write_text(
        "Asumisneuvonta Espoossa\n\nHäätöjä vältettiin, kun neuvonta alkoi ajoissa.\n", encoding="utf-8")
    sub = folder / "alikansio"
    sub.mkdir()
    (sub / "lahti.md").write_text("Lahden kokemusasiantuntijat osallistuivat.", encoding="utf-8")
    (folder / "README.md").write_text("Tämä ei ole aineistoa.", encoding="utf-8")
    (folder / ".piilo.txt").write_text("piilotettu", encoding="utf-8")
    (folder / "taulukko.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    corpus = load_corpus(folder)
    docs = corpus.documents
    assert docs["doc_id"].tolist() == ["lahti", "espoo_muistio"]  # sorted by path: alikansio/ first
    assert docs["title"].tolist() == ["Lahden kokemusasiantuntijat osallistuivat.", "Asumisneuvonta Espoossa"]
    assert docs["path"].tolist() == ["alikansio/lahti.md", "espoo_muistio.txt"]
    assert docs["kind"].tolist() == ["document", "document"]
    assert docs["cities"].tolist() == [[], []]
    assert docs["project"].isna().all()
    assert len(corpus.segments) == 3


def test_metadata_file_beside_documents_and_front_matter_precedence(folder):
    (folder / "metadata.yaml").write_text(
        "a.txt:\n  project: AKU\n  cities: Lahti; Espoo\n  published: 2018-05-02\n"
        "b.txt:\n  project: AKU\n  cities: [Vantaa]\n", encoding="utf-8")
    (folder / "a.txt").write_text("Teksti A.", encoding="utf-8")
    (folder / "b.txt").write_text("---\ndoc_id: vantaa_b\nproject: Nestori\n---\nTeksti B.", encoding="utf-8")
    docs = load_corpus(folder).documents.set_index("doc_id")
    assert docs.loc["a", "cities"] == ["Lahti", "Espoo"]
    assert str(docs.loc["a", "published"].date()) == "2018-05-02"
    assert docs.loc["vantaa_b", "project"] == "Nestori"  # front matter wins
    assert docs.loc["vantaa_b", "cities"] == ["Vantaa"]


def test_non_ascii_file_names_and_legacy_encodings_load(folder):
    (folder / "Jyväskylä_häätöneuvonta.txt").write_bytes("Häätöneuvonta auttoi Jyväskylässä.\r\n".encode("cp1252"))
    with pytest.warns(ArviointiWarning, match="Jyväskylä_häätöneuvonta.txt"):
        corpus = load_corpus(folder)
    assert corpus.documents.loc[0, "doc_id"] == "Jyväskylä_häätöneuvonta"
    assert corpus.documents.loc[0, "text"] == "Häätöneuvonta auttoi Jyväskylässä."
    assert corpus.documents.loc[0, "encoding"] == "cp1252"


def test_missing_folder_is_an_error():
    with pytest.raises(ArviointiError, match="ei_ole: corpus folder not found"):
        load_corpus("ei_ole")


def test_folder_without_documents_is_an_error(folder):
    (folder / "data.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(ArviointiError, match="no .txt or .md documents"):
        load_corpus(folder)


def test_duplicate_doc_ids_name_both_files(folder):
    (folder / "a.txt").write_text("---\ndoc_id: sama\n---\nYksi.", encoding="utf-8")
    (folder / "b.txt").write_text("---\ndoc_id: sama\n---\nKaksi.", encoding="utf-8")
    with pytest.raises(ArviointiError, match=r"b\.txt: duplicate doc_id 'sama': also used by .*a\.txt"):
        load_corpus(folder)


def test_same_file_name_in_two_folders_is_a_duplicate(folder):
    for sub in ("espoo", "vantaa"):
        (folder / sub).mkdir()
        (folder / sub / "haastattelu.txt").write_text("Teksti.", encoding="utf-8")
    with pytest.raises(ArviointiError, match="duplicate doc_id 'haastattelu'"):
        load_corpus(folder)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"tyhja\.txt: file is empty"),
        (b"\x00\x01\x02\x03binary\x00", r"tyhja\.txt: this looks like a binary file"),
        ("---\nproject: [AKU\n---\nTeksti.".encode(), r"tyhja\.txt, line \d: front matter is not valid YAML"),
        ("---\nproject: AKU\n---\n\n".encode(), r"tyhja\.txt, line 4: document has front matter but no text"),
        ("---\npublished: eilen\n---\nTeksti.".encode(), r"tyhja\.txt: 'published' is not a date"),
        ("---\ndoc_id: a/b\n---\nTeksti.".encode(), r"tyhja\.txt: doc_id 'a/b' must be"),
    ],
)
def test_bad_documents_give_an_error_naming_the_file(folder, content, message):
    (folder / "hyva.txt").write_text("Hyvä dokumentti.", encoding="utf-8")
    (folder / "tyhja.txt").write_bytes(content)
    with pytest.raises(ArviointiError, match=message):
        load_corpus(folder)


def test_clean_false_keeps_raw_text(folder):
    (folder / "a.txt").write_text("Siirry sisältöön\n\nTeksti.", encoding="utf-8")
    assert load_corpus(folder, clean=False).documents.loc[0, "text"] == "Siirry sisältöön\n\nTeksti."
    assert load_corpus(folder).documents.loc[0, "text"] == "Teksti."


def test_repr_and_public_api():
    corpus = arviointi.load_corpus(CORPUS)
    assert repr(corpus) == f"<Corpus from {CORPUS}: 17 documents, 165 segments>"
    assert len(corpus) == 17
    assert {"load_corpus", "Corpus", "ArviointiError", "tokenize", "entities"} <= set(arviointi.__all__)
