"""Decoding researchers' files: encodings, line endings, front matter, metadata files."""

from __future__ import annotations

import pytest

from arviointi import ArviointiError, ArviointiWarning
from arviointi.readers import read_metadata_file, read_text, split_front_matter

FINNISH = "Kokemusasiantuntija kertoi: häätö vältettiin, ja asunnottomuus päättyi. Åbo – Turku.\n"


@pytest.mark.parametrize(
    ("encoding", "data", "expected_encoding"),
    [
        ("cp1252", FINNISH.encode("cp1252"), "cp1252"),
        ("latin-1", FINNISH.replace("–", "-").encode("latin-1"), "cp1252"),
        ("utf-16 with BOM", FINNISH.encode("utf-16"), "utf-16"),
        ("utf-16-be with BOM", b"\xfe\xff" + FINNISH.encode("utf-16-be"), "utf-16"),
        ("utf-8 with BOM", FINNISH.encode("utf-8-sig"), "utf-8-bom"),
    ],
)
def test_legacy_encodings_are_decoded_with_a_warning(tmp_path, encoding, data, expected_encoding):
    path = tmp_path / "haastattelu.txt"
    path.write_bytes(data)
    with pytest.warns(ArviointiWarning, match="haastattelu.txt"):
        decoded = read_text(path)
    expected = FINNISH if encoding != "latin-1" else FINNISH.replace("–", "-")
    assert decoded.text == expected
    assert decoded.encoding == expected_encoding
    assert not decoded.text.startswith("\ufeff")


def test_invalid_utf8_warning_names_the_line(tmp_path):
    path = tmp_path / "muistio.txt"
    path.write_bytes("Rivi yksi.\nRivi kaksi.\nHäätö.\n".encode("cp1252"))
    with pytest.warns(ArviointiWarning, match=r"line 3 is not valid UTF-8; the file was decoded as cp1252"):
        assert read_text(path).text.endswith("Häätö.\n")


def test_utf8_is_read_silently(tmp_path, recwarn):
    path = tmp_path / "a.txt"
    path.write_text(FINNISH, encoding="utf-8")
    assert read_text(path).encoding == "utf-8"
    assert not [w for w in recwarn if issubclass(w.category, ArviointiWarning)]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_cr_and_crlf_line_endings_become_lf(tmp_path, newline):
    path = tmp_path / "a.txt"
    path.write_bytes(newline.join(["Eka rivi.", "", "Toka kappale."]).encode("utf-8"))
    assert read_text(path).text == "Eka rivi.\n\nToka kappale."


def test_decomposed_unicode_is_normalised_to_nfc(tmp_path):
    path = tmp_path / "mac.txt"
    path.write_bytes("ka\u0308vija\u0308".encode("utf-8"))  # "kävijä" as macOS may write it
    assert read_text(path).text == "kävijä"


def test_empty_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "tyhjä.txt"
    path.write_bytes(b"")
    with pytest.raises(ArviointiError, match=r"tyhjä\.txt: file is empty"):
        read_text(path)
    path.write_bytes(b"  \n\r\n\t")
    with pytest.raises(ArviointiError, match="file is empty"):
        read_text(path)


def test_binary_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "kuva.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ArviointiError, match=r"kuva\.txt: this looks like a binary file"):
        read_text(path)


def test_docx_saved_as_txt_is_a_binary_error(tmp_path):
    path = tmp_path / "litterointi.txt"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml")
    with pytest.raises(ArviointiError, match="binary"):
        read_text(path)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ArviointiError, match="puuttuu.txt: file not found"):
        read_text(tmp_path / "puuttuu.txt")


def test_front_matter_is_split_and_body_line_reported():
    meta, body, line = split_front_matter("---\nproject: AKU\ncities: [Lahti, Espoo]\n---\nTeksti.", "a.md")
    assert meta == {"project": "AKU", "cities": ["Lahti", "Espoo"]}
    assert body == "Teksti."
    assert line == 5


def test_no_front_matter_returns_text_unchanged():
    assert split_front_matter("Teksti ilman otsaketta.", "a.txt") == ({}, "Teksti ilman otsaketta.", 1)


def test_broken_front_matter_yaml_names_file_and_line():
    text = "---\nproject: AKU\ncities: [Lahti, Espoo\ntitle: x\n---\nTeksti."
    with pytest.raises(ArviointiError, match=r"^a\.md, line \d+: front matter is not valid YAML") as info:
        split_front_matter(text, "a.md")
    assert info.value.line in (4, 5)  # the YAML parser notices the missing ']' on the next line


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(ArviointiError, match=r"a\.md, line 1: front matter opened with '---' is never closed"):
        split_front_matter("---\nproject: AKU\nTeksti.", "a.md")


def test_front_matter_must_be_a_mapping():
    with pytest.raises(ArviointiError, match="must be a YAML mapping"):
        split_front_matter("---\n- a\n- b\n---\nTeksti.", "a.md")


def test_metadata_yaml_and_csv(tmp_path):
    yml = tmp_path / "metadata.yaml"
    yml.write_text("- file: a.txt\n  project: AKU\n  cities: [Lahti]\n", encoding="utf-8")
    assert read_metadata_file(yml) == {"a.txt": {"project": "AKU", "cities": ["Lahti"]}}
    csv = tmp_path / "metadata.csv"
    csv.write_text("file,project,cities\na.txt,AKU,Lahti;Espoo\nb.txt,Nestori,\n", encoding="utf-8")
    assert read_metadata_file(csv) == {
        "a.txt": {"project": "AKU", "cities": ["Lahti", "Espoo"]},
        "b.txt": {"project": "Nestori"},
    }


def test_metadata_csv_errors_name_the_line(tmp_path):
    csv = tmp_path / "metadata.csv"
    csv.write_text("file,project\na.txt,AKU\n,Nestori\n", encoding="utf-8")
    with pytest.raises(ArviointiError, match=r"metadata\.csv, line 3: row has an empty 'file' value"):
        read_metadata_file(csv)
    csv.write_text("project\nAKU\n", encoding="utf-8")
    with pytest.raises(ArviointiError, match=r"line 1: metadata CSV needs a 'file' column"):
        read_metadata_file(csv)
