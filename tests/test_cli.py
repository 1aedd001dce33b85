"""The arviointi command line on the real corpus and on bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from arviointi import load_corpus
from arviointi.cli import main

from .conftest import CORPUS, REPO


@pytest.mark.parametrize("command", [[], ["report"], ["code"], ["pseudonymize"], ["export-qdpx"], ["tokens"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: arviointi" in capsys.readouterr().out


def test_code_writes_the_codings(tmp_path, capsys):
    out = tmp_path / "koodit.csv"
    assert main(["code", str(CORPUS), "--out", str(out), "--method", "rules"]) == 0
    codings = pd.read_csv(out)
    assert set(codings["theme"]) == {"kokemusasiantuntijuus", "haasteet", "hyvat_kaytannot"}
    assert f"{len(codings)} codings" in capsys.readouterr().out


def test_code_with_another_corpus_and_its_codebook(tmp_path):
    example = REPO / "examples" / "nuorten_asuminen"
    out = tmp_path / "koodit.csv"
    with pytest.warns(Warning, match="rules only"):
        assert main(["code", str(example), "--codebook", str(example / "codebook.yaml"), "--out", str(out)]) == 0
    assert set(pd.read_csv(out)["theme"]) == {"asumisen_tuki", "tyo_ja_opiskelu", "verkostot"}


def test_pseudonymize_writes_a_corpus_that_loads_back(tmp_path, capsys):
    out, key = tmp_path / "turvallinen", tmp_path / "avain.csv"
    args = ["pseudonymize", str(CORPUS), "--out", str(out), "--key", str(key), "--kind", "transcript",
            "--allow", "Espoo", "--allow", "Lahti", "--allow", "Tampere", "--allow", "Vantaa", "--allow", "AKU"]
    assert main(args) == 0
    assert "identifiers replaced" in capsys.readouterr().out
    back = load_corpus(out)
    assert len(back.documents) == 12 and (back.documents["kind"] == "transcript").all()
    text = "\n".join(back.documents["text"])
    assert "Matti" not in text and "[HENKILÖ 1]" in text and "Espoossa" in text
    assert back.documents["fictional"].all()
    assert set(back.segments["role"]) == {"interviewer", "interviewee"}


def test_export_qdpx(tmp_path):
    codings = tmp_path / "koodit.csv"
    main(["code", str(CORPUS), "--out", str(codings), "--method", "rules"])
    out = tmp_path / "projekti.qdpx"
    assert main(["export-qdpx", str(CORPUS), "--codings", str(codings), "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_tokens_fast(tmp_path):
    out = tmp_path / "sanat.parquet"
    assert main(["tokens", str(CORPUS / "documents"), "--out", str(out), "--fast"]) == 0
    tokens = pd.read_parquet(out)
    assert len(tokens) == 1488 and (tokens["ent_type"] == "").all()


def test_bad_input_is_one_line_and_exit_status_2(tmp_path, capsys):
    assert main(["code", str(tmp_path / "ei_ole"), "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("virhe: ") and "corpus folder not found" in err and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()
