"""Finnish tokens on the real seed documents: lemmas, compound parts, entities, offsets, cache."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

import arviointi.tokens as tokens_module
from arviointi import ArviointiWarning, entities, load_corpus, tokenize
from arviointi.tokens import TOKEN_COLUMNS

from .conftest import AKU_CITIES


def _forms(tokens, form):
    return tokens[tokens["text"].str.lower() == form]


def test_token_table_columns_and_dtypes(tokens):
    assert list(tokens.columns) == TOKEN_COLUMNS
    assert len(tokens) == 1488
    assert tokens.groupby("doc_id").size().to_dict() == {
        "aku_kansainvalinen_huomio": 349, "aku_strategiatyo": 215, "kotimatkalla_pilottikunnat": 254,
        "nestori_keusote": 244, "vokista_kotiin": 426,
    }
    assert tokens["start_char"].dtype == "int64" and tokens["is_stop"].dtype == bool


def _count_words(corpus, pattern):
    """An independent count: regular expression over the cleaned document texts."""
    docs = corpus.documents[corpus.documents["kind"] == "document"]
    return sum(len(re.findall(pattern, text, flags=re.IGNORECASE)) for text in docs["text"])


def test_lemmas_of_inflected_forms(corpus, tokens):
    assert set(_forms(tokens, "asunnottomuuden")["lemma"]) == {"asunnottomuus"}
    assert len(_forms(tokens, "asunnottomuuden")) == _count_words(corpus, r"\basunnottomuuden\b") == 16
    assert set(_forms(tokens, "kokemusasiantuntijoiden")["lemma"]) == {"kokemusasiantuntija"}
    assert set(_forms(tokens, "kokemusasiantuntijuuden")["lemma"]) == {"kokemusasiantuntijuus"}
    assert set(_forms(tokens, "espoossa")["lemma"]) == set()  # the articles say "Espoo", not "Espoossa"
    assert set(_forms(tokens, "kuopiossa")["lemma"]) == {"Kuopio"}


def test_compound_parts(tokens):
    assert set(_forms(tokens, "asunnottomuustyön")["compound_parts"]) == {"asunnottomuus+työ"}
    assert set(_forms(tokens, "kokemusasiantuntijoiden")["compound_parts"]) == {"kokemus+asiantuntija"}
    assert set(_forms(tokens, "piiloasunnottomia")["compound_parts"]) == {"piilo+asunnoton"}
    assert set(_forms(tokens, "monitoimijaverkostotyöllä")["compound_parts"]) == {"moni+toimija+verkosto+työ"}
    assert set(_forms(tokens, "ja")["compound_parts"]) == {"ja"}
    assert set(tokens.loc[tokens["is_punct"], "compound_parts"]) == {""}


def test_work_on_asunnottomuus_counts_through_compounds(corpus, tokens):
    """A lemma search misses compounds; a compound-part search finds every word built on the stem."""
    lemma_hits = (tokens["lemma"] == "asunnottomuus").sum()
    part_hits = tokens["compound_parts"].str.split("+").apply(lambda parts: "asunnottomuus" in parts).sum()
    assert lemma_hits == 20
    # every word containing the stem "asunnottomuu-" (asunnottomuustyön, pitkäaikaisasunnottomuuden, …)
    assert part_hits == _count_words(corpus, r"\w*asunnottomuu\w*") == 31


def test_six_aku_cities_are_found_as_places_in_the_aku_article(tokens):
    aku = tokens[tokens["doc_id"] == "aku_kansainvalinen_huomio"]
    places = set(aku.loc[aku["ent_type"] == "GPE", "lemma"])
    assert set(AKU_CITIES) <= places
    assert places - set(AKU_CITIES) == {"Suomi", "Edmonton", "Kanada"}


def test_entities_as_spans(tokens):
    ents = entities(tokens, types=("PERSON",))
    people = set(ents["text"])
    assert {"Ulla Hännikäinen", "Sanna Meronen-Vilenius", "Rasilainen"} <= people
    row = ents[ents["text"] == "Ulla Hännikäinen"].iloc[0]
    assert row["doc_id"] == "nestori_keusote" and row["lemma"] == "Ulla Hännikäinen"
    hashtag = entities(tokens, types=("ORG",))
    assert "#kotimatkalla-hanke" in set(hashtag["lemma"])  # no space inserted inside "#kotimatkalla"


def test_offsets_point_into_cleaned_document_text(corpus, tokens):
    texts = corpus.documents.set_index("doc_id")["text"]
    sliced = [texts[d][s:e] for d, s, e in zip(tokens["doc_id"], tokens["start_char"], tokens["end_char"])]
    assert sliced == tokens["text"].tolist()
    segs = corpus.segments.set_index("segment_id")
    joined = tokens.merge(segs[["start_char", "end_char"]], left_on="segment_id", right_index=True,
                          suffixes=("", "_seg"))
    assert ((joined["start_char"] >= joined["start_char_seg"]) & (joined["end_char"] <= joined["end_char_seg"])).all()


def test_sentence_and_token_ids_run_per_document(tokens):
    for _, doc in tokens.groupby("doc_id"):
        assert doc["token_id"].tolist() == list(range(len(doc)))
        assert doc["sent_id"].iloc[0] == 0
        assert doc["sent_id"].diff().fillna(0).isin([0, 1]).all()
    assert tokens.groupby("doc_id")["sent_id"].max().to_dict()["vokista_kotiin"] >= 20


def test_stop_words_use_form_and_lemma(tokens):
    assert _forms(tokens, "ja")["is_stop"].all()
    assert _forms(tokens, "ovat")["is_stop"].all()  # lemma "olla"
    assert not _forms(tokens, "asunnottomuuden")["is_stop"].any()
    top = tokens[~tokens["is_stop"] & ~tokens["is_punct"]]["lemma"].value_counts()
    assert top.index[:2].tolist() == ["hanke", "asunnottomuus"]
    assert top["hanke"] == 29 and top["asunnottomuus"] == 20


# ---------------------------------------------------------------- the cache

def _small_corpus(folder: Path, text: str = "Asumisneuvonta ehkäisi häätöjä Lahdessa.") -> object:
    (folder / "a.txt").write_text(text, encoding="utf-8")
    return load_corpus(folder)


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def test_second_call_reads_the_cache_without_the_model(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    corpus = _small_corpus(folder)
    first = tokenize(corpus, cache_dir=cache, progress=False)
    assert len(_cache_files(cache)) == 1

    def no_model(**_):
        raise AssertionError("the model must not be loaded when everything is cached")

    monkeypatch.setattr(tokens_module, "load_model", no_model)
    second = tokenize(corpus, cache_dir=cache, progress=False)
    pd.testing.assert_frame_equal(first, second)


def test_cache_is_invalidated_by_text_model_and_settings(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    tokenize(_small_corpus(folder), cache_dir=cache, progress=False)
    changed = tokenize(_small_corpus(folder, "Asumisneuvonta ehkäisi häätöjä Vantaalla."), cache_dir=cache,
                       progress=False)
    assert "Vantaa" in set(changed["lemma"])
    assert len(_cache_files(cache)) == 2
    monkeypatch.setattr(tokens_module, "model_version", lambda: "spacy_fi_experimental_web_md 9.9.9")
    tokenize(_small_corpus(folder, "Asumisneuvonta ehkäisi häätöjä Vantaalla."), cache_dir=cache, progress=False)
    assert len(_cache_files(cache)) == 3
    tokenize(_small_corpus(folder, "Asumisneuvonta ehkäisi häätöjä Vantaalla."), cache_dir=cache, progress=False,
             chunk_chars=5000)
    assert len(_cache_files(cache)) == 4


def test_interrupted_write_leaves_no_entry(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    corpus = _small_corpus(folder)

    def interrupted(table, fh, **kwargs):
        fh.write(b"ARROW1 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(tokens_module, "_write_ipc", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tokenize(corpus, cache_dir=cache, progress=False)
    assert _cache_files(cache) == []  # neither a half-written entry nor a temporary file
    monkeypatch.undo()
    assert tokenize(corpus, cache_dir=cache, progress=False)["text"].tolist() == [
        "Asumisneuvonta", "ehkäisi", "häätöjä", "Lahdessa", "."]


def test_corrupt_entry_is_discarded_and_reparsed(folder, tmp_path):
    cache = tmp_path / "cache"
    corpus = _small_corpus(folder)
    expected = tokenize(corpus, cache_dir=cache, progress=False)
    [entry] = _cache_files(cache)
    entry.write_bytes(b"not an arrow file at all")
    with pytest.warns(ArviointiWarning, match="unreadable cache entry discarded"):
        again = tokenize(corpus, cache_dir=cache, progress=False)
    pd.testing.assert_frame_equal(expected, again)
    assert entry.read_bytes().startswith(b"ARROW1")


def test_unwritable_cache_warns_and_still_returns_tokens(folder, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.warns(ArviointiWarning, match="cannot write the token cache"):
        toks = tokenize(_small_corpus(folder), cache_dir=blocker / "cache", progress=False)
    assert toks["lemma"].tolist()[:2] == ["asumisneuvonta", "ehkäistä"]


def test_default_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ARVIOINTI_CACHE_DIR", str(tmp_path / "x"))
    assert tokens_module.default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("ARVIOINTI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tokens_module.default_cache_dir() == tmp_path / "xdg" / "arviointi"


# ------------------------------------------------------------ long texts

def test_texts_longer_than_spacy_max_length_are_parsed_in_pieces(folder, tmp_path, monkeypatch):
    sentence = "Asunnottomuustyön kokemusasiantuntijat kehittivät palveluja Kuopiossa. "
    text = sentence * 60  # one 4 260-character paragraph
    corpus = _small_corpus(folder, text.strip())
    nlp = tokens_module.load_model()
    monkeypatch.setattr(nlp, "max_length", 2000)
    toks = tokenize(corpus, cache_dir=tmp_path / "cache", progress=False, chunk_chars=1500)
    assert len(toks) == 60 * 6  # five words and a full stop per sentence
    assert (toks["lemma"] == "kokemusasiantuntija").sum() == 60
    assert (toks["text"] == ".").sum() == 60
    doc_text = corpus.documents.loc[0, "text"]
    assert all(doc_text[s:e] == t for s, e, t in zip(toks["start_char"], toks["end_char"], toks["text"]))
    assert toks["sent_id"].is_monotonic_increasing and toks["token_id"].tolist() == list(range(360))


def test_chunks_cut_at_sentence_boundaries():
    text = "Yksi lause. " * 300
    pieces = list(tokens_module._chunks(text, 1000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 for _, p in pieces)
    assert all(p.endswith(". ") for _, p in pieces[:-1])
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]


def test_progress_bar_is_shown_on_request(folder, tmp_path, capsys):
    tokenize(_small_corpus(folder), cache_dir=tmp_path / "c", progress=True)
    assert "Jäsennetään" in capsys.readouterr().err
    tokenize(_small_corpus(folder, "Toinen teksti."), cache_dir=tmp_path / "c", progress=False)
    assert capsys.readouterr().err == ""


def test_no_download_at_run_time():
    assert not os.environ.get("SPACY_DOWNLOAD")  # the model is a pip package; nothing is fetched


# ------------------------------------------------------------ speed paths

def test_fast_lemma_path_runs_no_neural_component(corpus, tmp_path, monkeypatch):
    nlp = tokens_module.load_model()

    def no_pipe(*args, **kwargs):
        raise AssertionError("the fast lemma path must not run the neural pipeline")

    monkeypatch.setattr(nlp, "pipe", no_pipe)
    fast = corpus.select(kind="document").tokens(cache_dir=tmp_path / "c", progress=False, components="lemma",
                                                 n_process=1)
    assert (fast["ent_type"] == "").all() and (fast["morph"] == "").all()
    assert set(fast["pos"]) <= {"NOUN", "VERB", "ADJ", "ADV", "PROPN", "PRON", "ADP", "CCONJ", "SCONJ", "NUM",
                                "AUX", "INTJ", "PUNCT", "X"}


def test_fast_lemma_path_agrees_with_the_full_pipeline(corpus, tokens, tmp_path):
    fast = corpus.select(kind="document").tokens(cache_dir=tmp_path / "c", progress=False, components="lemma")
    assert fast[["doc_id", "start_char", "end_char", "text"]].equals(tokens[["doc_id", "start_char", "end_char", "text"]])
    agreement = (fast["lemma"] == tokens["lemma"]).mean()
    assert agreement >= 0.95, agreement
    assert set(fast.loc[fast["text"] == "asunnottomuustyön", "compound_parts"]) == {"asunnottomuus+työ"}


def test_components_have_their_own_cache_entries(folder, tmp_path):
    corpus = _small_corpus(folder)
    tokenize(corpus, cache_dir=tmp_path / "c", progress=False)
    tokenize(corpus, cache_dir=tmp_path / "c", progress=False, components="lemma")
    assert len(_cache_files(tmp_path / "c")) == 2
    with pytest.raises(ValueError, match="components must be"):
        tokenize(corpus, cache_dir=tmp_path / "c", components="pos")


def test_two_processes_give_the_same_table(corpus, tmp_path):
    one = tokenize(corpus, cache_dir=tmp_path / "one", progress=False, n_process=1, include_interviewer=True)
    two = tokenize(corpus, cache_dir=tmp_path / "two", progress=False, n_process=2, include_interviewer=True)
    pd.testing.assert_frame_equal(one, two)


def test_text_statistics_take_a_corpus_and_use_the_fast_path(corpus, monkeypatch, token_cache):
    from arviointi import frequencies

    seen = {}
    original = type(corpus).tokens

    def spy(self, **kwargs):
        seen.update(kwargs)
        return original(self, cache_dir=token_cache, **{k: v for k, v in kwargs.items() if k != "cache_dir"})

    monkeypatch.setattr(type(corpus), "tokens", spy)
    top = frequencies(corpus.select(kind="document")).head(1)
    assert seen["components"] == "lemma"
    assert top[["term", "count"]].values.tolist() == [["hanke", 29]]
