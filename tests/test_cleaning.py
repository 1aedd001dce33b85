"""Cleaning scraped text: checked on the real seed documents and on small examples."""

from __future__ import annotations

from arviointi.cleaning import clean_text

VOKISTA_LEAD = (
    "Ympäristöministeriön 2015 käynnistyneessä hankkeessa kartoitetaan maahanmuuttajien "
    "asumisen erityistarpeita ja kehitetään palveluja."
)


def _doc(corpus, doc_id):
    return corpus.documents.set_index("doc_id").loc[doc_id]


def test_vokista_duplicated_lead_sentence_is_dropped(corpus):
    doc = _doc(corpus, "vokista_kotiin")
    assert doc["raw_text"].count(VOKISTA_LEAD) == 2
    assert doc["text"].count(VOKISTA_LEAD) == 1
    log = corpus.cleaning_log
    dup = log[(log.doc_id == "vokista_kotiin") & (log.step == "duplicate")]
    assert dup["text"].tolist() == [VOKISTA_LEAD]
    assert dup["line"].tolist() == [26]  # line 26 of corpus/documents/vokista_kotiin.txt


def test_line_breaks_inside_sentences_are_joined(corpus):
    doc = _doc(corpus, "vokista_kotiin")
    assert "ympäristöministeriön\nUudet asumis-" in doc["raw_text"]
    assert "(AUNE, 2016 – 2019) ympäristöministeriön Uudet asumis- ja palveluratkaisut -hankkeessa" in doc["text"]
    assert "etsiä yhdessä uusia ratkaisuja sekä levittää hyviä käytäntöjä" in doc["text"]


def test_navigation_and_comment_widget_are_removed(corpus):
    nestori = _doc(corpus, "nestori_keusote")
    assert nestori["raw_text"].startswith("Siirry sisältöön")
    assert "Siirry sisältöön" not in nestori["text"]
    assert nestori["text"].startswith("Nestori-hanke luo uudenlaista mallia asunnottomuuden hoitoon")
    aku = _doc(corpus, "aku_kansainvalinen_huomio")
    assert "Ei kommentteja. Ole ensimmäinen kommentoija." in aku["raw_text"]
    assert "kommentoija" not in aku["text"]
    assert "AKU-logo" not in aku["text"] and "\nRSS\n" not in aku["text"]
    assert aku["text"].endswith("Lue lisää hankkeen verkkosivuilta")


def test_publication_stamp_moves_to_metadata(corpus):
    doc = _doc(corpus, "kotimatkalla_pilottikunnat")
    assert "Julkaistu 31.8.2017" in doc["raw_text"] and "Julkaistu" not in doc["text"]
    assert str(doc["published"].date()) == "2017-08-31" and str(doc["updated"].date()) == "2017-09-28"


def test_short_lines_are_not_joined(corpus):
    # the contact block at the end of the Nestori page is a list, not a wrapped sentence
    text = _doc(corpus, "nestori_keusote")["text"]
    assert text.endswith("Lisätietoja:\nUlla Hännikäinen\nhankekoordinaattori, Nestori-hanke\nulla.hannikainen@keusote.fi")


def test_no_space_runs_or_nbsp_remain(corpus):
    for text in corpus.documents.loc[corpus.documents["kind"] == "document", "text"]:
        assert "\u00a0" not in text and "  " not in text and "\n\n\n" not in text
        assert text == text.strip()


def test_cleaning_log_counts_per_document(corpus):
    counts = corpus.cleaning_log.groupby(["doc_id", "step"]).size().to_dict()
    assert counts == {
        ("aku_kansainvalinen_huomio", "boilerplate"): 3,  # RSS, AKU-logo, comment widget
        ("aku_strategiatyo", "boilerplate"): 1,  # publication stamp
        ("kotimatkalla_pilottikunnat", "boilerplate"): 1,
        ("nestori_keusote", "boilerplate"): 1,  # Siirry sisältöön
        ("vokista_kotiin", "duplicate"): 1,
        ("vokista_kotiin", "join_lines"): 2,
    }


def test_clean_text_is_deterministic_and_idempotent(corpus):
    for raw, text in zip(corpus.documents["raw_text"], corpus.documents["text"]):
        assert clean_text(raw)[0] == text
        assert clean_text(text)[0] == text


def test_only_consecutive_duplicates_are_dropped():
    text, log = clean_text("Hankkeen teemat\n\nTeksti.\n\nHankkeen teemat")
    assert text == "Hankkeen teemat\n\nTeksti.\n\nHankkeen teemat"
    assert log == []
