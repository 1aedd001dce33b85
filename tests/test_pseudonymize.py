"""Pseudonymisation of the example interviews and the seed documents."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from arviointi import ArviointiError, find_identifiers, load_corpus, pseudonymize, residual_check
from arviointi.pseudonymize import valid_henkilotunnus

COMPARED_CITIES = ["Espoo", "Lahti", "Tampere", "Vantaa"]
PROJECTS = ["AKU", "Nestori", "#kotimatkalla", "Vokista kotiin!"]
#: Identifiers planted in the fictional interviews (all invented).
PLANTED = [
    "Matti Virtanen", "Matin", "Matille", "040 123 4567", "Leppävaara",
    "Riikka Laaksonen", "Riikan", "riikka.laaksonen@example.org", "070391-4553",
    "Sammalkuja 3 A 7", "Timo Heikkinen", "Timon", "050-765 4321", "Jukka",
    "Hervanna", "Kotipolku", "Hämeenkatu 12 B 4", "Liisa", "Pekka", "Tikkurila", "Kivistö",
]
CITY_FORMS = re.compile(r"\b(Espoo\w*|Lahde\w*|Lahti|Tamper\w*|Vantaa\w*)\b")


@pytest.fixture(scope="module")
def pseudonymized(corpus, token_cache, tmp_path_factory):
    key = tmp_path_factory.mktemp("avain") / "avain.csv"
    safe = pseudonymize(corpus, allow=COMPARED_CITIES + PROJECTS, key_path=key, kinds=("transcript",),
                        cache_dir=token_cache)
    return safe, key


def _transcript_text(corpus):
    docs = corpus.documents[corpus.documents["kind"] == "transcript"]
    return "\n".join(docs["text"]) + "\n" + "\n".join(corpus.segments["speaker"].dropna())


def test_every_planted_identifier_is_found_and_replaced(corpus, pseudonymized):
    safe, _ = pseudonymized
    before, after = _transcript_text(corpus), _transcript_text(safe)
    for identifier in PLANTED:
        assert identifier in before, identifier
        assert identifier.lower() not in after.lower(), identifier


def test_every_allowed_city_survives(corpus, pseudonymized):
    safe, _ = pseudonymized
    assert sorted(CITY_FORMS.findall(_transcript_text(corpus))) == sorted(CITY_FORMS.findall(_transcript_text(safe)))
    assert len(CITY_FORMS.findall(_transcript_text(safe))) == 10
    assert "AKU-hankkeessa" in _transcript_text(safe)


def test_replacements_are_consistent_across_inflected_forms(pseudonymized):
    safe, key = pseudonymized
    table = pd.read_csv(key)
    matti = table[table["key"] == "matti virtanen"].iloc[0]
    assert matti["forms"] == "Matille | Matin | Matti Virtanen" and matti["count"] == 3
    token = matti["replacement"]
    text = safe.documents.set_index("doc_id").loc["espoo_01_asumisneuvoja", "text"]
    assert text.count(token) == 3
    assert f"{token} kävi kaikki isot vuokrataloyhtiöt läpi, ja {token} ansiosta" in text


def test_key_file_has_every_category(pseudonymized):
    _, key = pseudonymized
    table = pd.read_csv(key)
    assert table.groupby("type").size().to_dict() == {
        # Kotipolku ry, Kela; Matti Virtanen, Riikka Laaksonen, Timo Heikkinen, Jukka, Liisa, Pekka;
        # Leppävaara, Hervanta, Tikkurila, Kivistö
        "address": 2, "email": 1, "id_code": 1, "organisation": 2, "person": 6, "phone": 2, "place": 4,
    }
    assert set(table["replacement"].str.extract(r"\[(\w+) \d+\]")[0]) == {
        "OSOITE", "SÄHKÖPOSTI", "HENKILÖTUNNUS", "ORGANISAATIO", "HENKILÖ", "PUHELIN", "PAIKKA"}


def test_speaker_labels_that_are_names_are_replaced(pseudonymized):
    safe, _ = pseudonymized
    turns = safe.segments[safe.segments["doc_id"] == "vantaa_02_kokemusasiantuntija"]
    assert turns["speaker"].unique().tolist() == ["[HENKILÖ 5]", "[HENKILÖ 6]"]  # Liisa, Pekka
    assert turns["role"].unique().tolist() == ["interviewer", "interviewee"]
    assert turns["text"].iloc[0].startswith("[HENKILÖ 6], kerro miten tulit mukaan")


def test_offsets_stay_consistent(pseudonymized):
    safe, _ = pseudonymized
    texts = safe.documents.set_index("doc_id")["text"]
    for row in safe.segments.itertuples():
        assert texts[row.doc_id][row.start_char:row.end_char] == row.text


def test_residual_check_is_empty_for_the_examples(pseudonymized, token_cache):
    safe, key = pseudonymized
    only = safe.select(kind="transcript")
    residual = residual_check(only, allow=COMPARED_CITIES + PROJECTS + ["Kela", "Lahden Talot"], key_path=key,
                              cache_dir=token_cache)
    assert residual.empty, residual[["type", "key", "source"]].to_dict("records")


def test_original_corpus_is_unchanged(corpus, pseudonymized):
    assert "Matti Virtanen" in corpus.documents.set_index("doc_id").loc["espoo_01_asumisneuvoja", "text"]
    assert "pseudonymized" not in corpus.documents.columns


def test_seed_documents_real_names_and_email(corpus, token_cache, tmp_path):
    """The public seed articles name real people and an e-mail address: they are replaced too."""
    public_bodies = ["ARA", "STM", "ympäristöministeriö", "SPR", "AUNE", "PAAVO", "Suomi", "Keusote"]
    aku_cities = ["Espoo", "Jyväskylä", "Kuopio", "Lahti", "Tampere", "Vantaa", "Kouvola", "Mikkeli", "Parainen"]
    safe = pseudonymize(corpus, allow=aku_cities + PROJECTS + public_bodies, kinds=("document",),
                        key_path=tmp_path / "avain.csv", cache_dir=token_cache)
    docs = safe.documents.set_index("doc_id")
    assert docs.loc["nestori_keusote", "text"].endswith(
        "Lisätietoja:\n[HENKILÖ 2]\nhankekoordinaattori, Nestori-hanke\n[SÄHKÖPOSTI 1]")
    assert "8.10.2019 [HENKILÖ 1], hankepäällikkö, ARA" in docs.loc["aku_kansainvalinen_huomio", "text"]
    assert "Pilotin vetämisestä vastasi [HENKILÖ 3] (Koko & kehitys Oy)" in docs.loc["vokista_kotiin", "text"]
    assert "AKU-hankekaupunkeja ovat olleet Espoo, Jyväskylä, Kuopio, Lahti, Tampere ja Vantaa." in \
        docs.loc["aku_kansainvalinen_huomio", "text"]
    for original in ("Ulla Hännikäinen", "ulla.hannikainen@keusote.fi", "Sina Rasilainen", "Sanna Meronen-Vilenius"):
        assert original not in "\n".join(safe.documents["text"]) + "\n".join(safe.documents["raw_text"])
    key = pd.read_csv(tmp_path / "avain.csv")
    assert set(key.loc[key["type"] == "person", "key"]) == {"sina rasilainen", "ulla hännikäinen",
                                                             "sanna meronen-vilenius"}


def test_review_decision_keep_leaves_a_candidate(corpus, token_cache, tmp_path):
    cands = find_identifiers(corpus, allow=COMPARED_CITIES + PROJECTS, kinds=("transcript",), cache_dir=token_cache)
    assert list(cands.columns) == ["type", "key", "candidate", "forms", "count", "n_documents", "contexts",
                                   "replacement", "decision"]
    assert (cands["decision"] == "replace").all()
    kela = cands["key"] == "kela"
    assert cands.loc[kela, "forms"].item() == "Kela | Kelan"
    cands.loc[kela, "decision"] = "keep"
    safe = pseudonymize(corpus, allow=COMPARED_CITIES + PROJECTS, candidates=cands, kinds=("transcript",),
                        cache_dir=token_cache)
    text = "\n".join(safe.documents["text"])
    assert "Kelan ja sosiaalitoimen lomakkeet" in text and "Matti" not in text
    cands.loc[kela, "decision"] = "maybe"
    with pytest.raises(ArviointiError, match="decision must be 'replace' or 'keep'"):
        pseudonymize(corpus, candidates=cands, kinds=("transcript",), cache_dir=token_cache)


def test_key_inside_the_corpus_folder_is_refused(corpus, token_cache):
    with pytest.raises(ArviointiError, match="must be kept outside the corpus folder"):
        pseudonymize(corpus, key_path=corpus.root / "avain.csv", kinds=("transcript",), cache_dir=token_cache)
    assert not (corpus.root / "avain.csv").exists()


def test_henkilotunnus_checksum():
    assert valid_henkilotunnus("070391-4553") and valid_henkilotunnus("131052-308T")
    assert valid_henkilotunnus("010101A123N") is (("0123456789ABCDEFHJKLMNPRSTUVWXY"[int("010101123") % 31]) == "N")
    assert not valid_henkilotunnus("070391-4554")
    assert not valid_henkilotunnus("320191-4553")  # no 32nd day


def test_invalid_identity_code_is_not_an_identity_code(folder, tmp_path):
    (folder / "transcripts").mkdir()
    (folder / "transcripts" / "h.txt").write_text(
        "H: Mikä oli tunnus?\nV: Se oli 070391-4553 ja lomakkeessa luki 070391-4554.\n", encoding="utf-8")
    cands = find_identifiers(load_corpus(folder), cache_dir=tmp_path / "c")
    assert cands.loc[cands["type"] == "id_code", "candidate"].tolist() == ["070391-4553"]


def test_key_file_is_private(pseudonymized):
    _, key = pseudonymized
    assert key.stat().st_mode & 0o077 == 0  # no access for group or others
