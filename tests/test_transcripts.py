"""Transcript readers: exact turns and speakers for every format, roles, marks and bad input."""

from __future__ import annotations

import pytest

from arviointi import ArviointiError, ArviointiWarning, load_corpus
from arviointi.transcripts import default_role, mark_spans, read_transcript

from .conftest import CORPUS

TRANSCRIPTS = CORPUS / "transcripts"

# file: (format, turns, speakers in order of first appearance, turns per role)
EXPECTED = {
    "espoo_01_asumisneuvoja.txt": ("text", 12, ["H", "V"], {"interviewer": 6, "interviewee": 6}),
    "espoo_02_kokemusasiantuntija.docx": ("docx", 10, ["Haastattelija", "Haastateltava"], {"interviewer": 5, "interviewee": 5}),
    "espoo_03_asiakas.vtt": ("vtt", 8, ["SPEAKER_00", "SPEAKER_01"], {"interviewer": 4, "interviewee": 4}),
    "lahti_01_tyontekija.srt": ("srt", 6, ["SPEAKER_00", "SPEAKER_01"], {"interviewer": 3, "interviewee": 3}),
    "lahti_02_kokemusasiantuntija.txt": ("text", 10, ["Haastattelija", "Haastateltava"], {"interviewer": 5, "interviewee": 5}),
    "lahti_03_ryhmahaastattelu.txt": ("text", 12, ["H1", "V1", "V2"], {"interviewer": 4, "interviewee": 8}),
    "tampere_01_tyontekija.docx": ("docx", 10, ["H", "V"], {"interviewer": 5, "interviewee": 5}),
    "tampere_02_asiakas.vtt": ("vtt", 8, ["Haastattelija", "Jukka"], {"interviewer": 4, "interviewee": 4}),
    "tampere_03_kokemusasiantuntija.txt": ("text", 10, ["H", "V"], {"interviewer": 5, "interviewee": 5}),
    "vantaa_01_tyontekija.srt": ("srt", 6, ["H", "V"], {"interviewer": 3, "interviewee": 3}),
    "vantaa_02_kokemusasiantuntija.txt": ("text", 10, ["Liisa", "Pekka"], {"interviewer": 5, "interviewee": 5}),
    "vantaa_03_asiakas.docx": ("docx", 8, ["H", "V"], {"interviewer": 4, "interviewee": 4}),
}


@pytest.fixture(scope="module")
def transcripts(corpus):
    docs = corpus.documents[corpus.documents["kind"] == "transcript"].set_index("path")
    return docs


def test_every_example_interview_has_its_exact_turns_and_speakers(corpus, transcripts):
    assert sorted(p.split("/")[-1] for p in transcripts.index) == sorted(EXPECTED)
    for name, (fmt, n_turns, speakers, per_role) in EXPECTED.items():
        doc = transcripts.loc[f"transcripts/{name}"]
        turns = corpus.segments[corpus.segments["doc_id"] == doc["doc_id"]]
        assert doc["format"] == fmt, name
        assert len(turns) == n_turns == doc["n_turns"], name
        assert list(dict.fromkeys(turns["speaker"])) == speakers, name
        assert turns.groupby("role").size().to_dict() == per_role, name


def test_examples_are_fictional_and_cover_four_aku_cities(transcripts):
    assert transcripts["fictional"].all()
    assert (transcripts["project"] == "AKU").all()
    assert transcripts.groupby("city").size().to_dict() == {"Espoo": 3, "Lahti": 3, "Tampere": 3, "Vantaa": 3}
    assert transcripts["cities"].map(len).eq(1).all()
    assert set(transcripts["interviewee_role"]) == {"työntekijä", "kokemusasiantuntija", "asiakas"}


def test_header_block_becomes_metadata_not_a_turn(corpus, transcripts):
    doc = transcripts.loc["transcripts/espoo_01_asumisneuvoja.txt"]
    assert str(doc["date"].date()) == "2019-03-14"
    assert doc["duration"] == "38 min" and doc["transcriber"] == "arviointi-esimerkki"
    first = corpus.segments[corpus.segments["doc_id"] == doc["doc_id"]].iloc[0]
    assert (first["speaker"], first["text"]) == ("H", "Kerro aluksi, mitä teet AKU-hankkeessa.")
    group = transcripts.loc["transcripts/lahti_03_ryhmahaastattelu.txt"]
    assert group["interviewee_role"] == "työntekijä"  # "Rooli:" header line
    assert group["note"] == "ryhmähaastattelu, kaksi haastateltavaa"


def test_subtitle_cues_of_one_speaker_are_merged_with_their_times(corpus):
    turns = corpus.segments[corpus.segments["doc_id"] == "espoo_03_asiakas"]
    second = turns.iloc[1]
    assert (second["start_time"], second["end_time"]) == (6.4, 17.5)  # two cues merged
    assert second["text"] == ("Mulla jäi vuokra maksamatta kolmena kuukautena, kun mä jäin työttömäksi. "
                              "Vuokranantaja ilmoitti siitä asumisneuvojalle, ja neuvoja soitti mulle heti.")
    assert turns["end_time"].iloc[-1] == 64.9
    srt_turns = corpus.segments[corpus.segments["doc_id"] == "lahti_01_tyontekija"]
    assert srt_turns["start_time"].tolist() == [0.8, 5.9, 19.2, 23.3, 38.5, 42.6]


def test_turn_offsets_point_at_the_words_not_the_label(corpus):
    texts = corpus.documents.set_index("doc_id")["text"]
    turns = corpus.segments[corpus.segments["speaker"].notna()]
    for row in turns.itertuples():
        assert texts[row.doc_id][row.start_char:row.end_char] == row.text
        assert texts[row.doc_id][: row.start_char].endswith(f"{row.speaker}: ")


def test_docx_bold_labels_without_colon(tmp_path):
    t = read_transcript(TRANSCRIPTS / "espoo_02_kokemusasiantuntija.docx")
    assert t.meta == {"date": "20.3.2019", "duration": "42 min", "interviewee_role": "kokemusasiantuntija"}
    assert t.turns[0].speaker == "Haastattelija"
    assert t.turns[0].text == "Miten kokemusasiantuntijatoiminta alkoi Espoossa?"
    assert t.turns[0].line == 5  # paragraph 5: three header lines and an empty paragraph first


def test_transcription_marks_are_kept_and_flagged(corpus, all_tokens):
    text = corpus.documents.set_index("doc_id").loc["lahti_02_kokemusasiantuntija", "text"]
    assert "(..)" in text and "(--)" in text and "[yskii]" in text
    marks = all_tokens[all_tokens["is_mark"]]
    assert marks.groupby("doc_id")["text"].apply("".join).to_dict() == {
        "espoo_01_asumisneuvoja": "(.)[naurua]",
        "espoo_03_asiakas": "(.)",
        "lahti_02_kokemusasiantuntija": "(..)(--)[yskii]",
        "tampere_02_asiakas": "[huokaus]",
        "vantaa_02_kokemusasiantuntija": "(.)",
    }
    assert not all_tokens.loc[all_tokens["role"] == "", "is_mark"].any()  # never in documents


def test_mark_spans_keep_overlapping_speech():
    text = "V: no [joo] se oli ((tauko)) (2.5) ihan (x) hyvä"
    assert [text[a:b] for a, b in mark_spans(text)] == ["[", "]", "((tauko))", "(2.5)", "(x)"]


def test_interviewer_turns_are_left_out_by_default(corpus, token_cache):
    default = corpus.tokens(cache_dir=token_cache, progress=False)
    everything = corpus.tokens(cache_dir=token_cache, progress=False, include_interviewer=True)
    assert "interviewer" not in set(default["role"])
    assert set(everything["role"]) == {"", "interviewer", "interviewee"}
    assert len(everything) - len(default) == (everything["role"] == "interviewer").sum() > 250


def test_default_roles():
    assert [default_role(x) for x in ["H", "H2", "haastattelija", "V", "V1", "Haastateltava", "SPEAKER_00"]] == [
        "interviewer", "interviewer", "interviewer", "interviewee", "interviewee", "interviewee", None]


# ------------------------------------------------------------------ bad transcripts

def _corpus_with(folder, name, content, **extra):
    (folder / "transcripts").mkdir(exist_ok=True)
    path = folder / "transcripts" / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for other, text in extra.items():
        (folder / "transcripts" / other).write_text(text, encoding="utf-8")
    return path


def test_no_speaker_labels_is_an_error_naming_file_and_line(folder):
    _corpus_with(folder, "h.txt", "Tämä on pelkkää tekstiä ilman puhujia.\nToinen rivi.")
    with pytest.raises(ArviointiError, match=r"h\.txt, line 1: text before the first speaker turn"):
        load_corpus(folder)


def test_header_only_is_no_speaker_labels(folder):
    _corpus_with(folder, "h.txt", "Päivämäärä: 1.2.2019\nKesto: 10 min\n")
    with pytest.raises(ArviointiError, match=r"h\.txt, line 1: no speaker labels found"):
        load_corpus(folder)


def test_unknown_label_loads_with_a_warning_and_role_unknown(folder):
    _corpus_with(folder, "h.txt", "H: Kerro.\nV: No niin.\nMaija: Minäkin haluan sanoa.\n")
    with pytest.warns(ArviointiWarning, match=r"h\.txt, line 3: unknown speaker label 'Maija'"):
        corpus = load_corpus(folder)
    assert corpus.segments["role"].tolist() == ["interviewer", "interviewee", "unknown"]


def test_speakers_yaml_maps_names(folder):
    _corpus_with(folder, "h.txt", "Anna: Kerro.\nVille: No niin.\n", **{"speakers.yaml": "Anna: interviewer\nVille: interviewee\n"})
    corpus = load_corpus(folder)
    assert corpus.segments["role"].tolist() == ["interviewer", "interviewee"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nH: Hei.\n", r"a\.vtt, line 3: malformed cue timing"),
        ("a.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nH: Hei.\n", r"a\.vtt, line 3: cue ends before it starts"),
        ("a.vtt", "00:00:01.000 --> 00:00:02.000\nH: Hei.\n", r"a\.vtt, line 1: a WebVTT file must start with 'WEBVTT'"),
        ("a.srt", "1\n00:00:01,000 -> 00:00:02,000\nH: Hei.\n", r"a\.srt: no subtitle cues found"),
        ("a.srt", "1\n0:00:01,000 --> 00:00:02,00\nH: Hei.\n", r"a\.srt, line 2: malformed cue timing"),
        ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nHei vaan.\n", r"a\.srt, line 2: no speaker labels found in the cues"),
        ("a.docx", b"PK\x03\x04 this is not really a word file", r"a\.docx: not a valid \.docx file"),
        ("a.docx", b"", r"a\.docx: not a valid \.docx file"),
        ("a.txt", "H:\nV: Vastaus.\n", r"a\.txt, line 1: speaker turn 'H:' has no text"),
    ],
)
def test_bad_transcripts_give_an_error_naming_file_and_line(folder, name, content, message):
    _corpus_with(folder, name, content)
    with pytest.raises(ArviointiError, match=message):
        load_corpus(folder)


def test_first_cues_without_speaker_warn(folder):
    _corpus_with(folder, "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nAlkua.\n\n2\n00:00:02,500 --> 00:00:04,000\n"
                                  "H: Kysymys.\n\n3\n00:00:04,500 --> 00:00:06,000\nV: Vastaus.\n")
    with pytest.warns(ArviointiWarning, match="the first 1 cue"):
        corpus = load_corpus(folder)
    assert corpus.segments["speaker"].tolist() == ["?", "H", "V"]


def test_whisperx_labels_without_map_warn_as_unknown(folder):
    _corpus_with(folder, "a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n[SPEAKER_00]: Kysymys?\n\n"
                                  "00:00:02.500 --> 00:00:04.000\n[SPEAKER_01]: Vastaus.\n")
    with pytest.warns(ArviointiWarning) as record:
        corpus = load_corpus(folder)
    messages = [str(w.message) for w in record]
    assert any("line 3: unknown speaker label 'SPEAKER_00'" in m for m in messages)
    assert any("line 6: unknown speaker label 'SPEAKER_01'" in m for m in messages)
    assert corpus.segments["role"].tolist() == ["unknown", "unknown"]
