"""Shared fixtures: the repository's corpus (the five real seed documents) and its tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

import arviointi

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"

#: The six AKU project cities, as the ARA article lists them.
AKU_CITIES = ["Espoo", "Jyväskylä", "Kuopio", "Lahti", "Tampere", "Vantaa"]


def needs_shared(subpath: str) -> Path:
    """The path under ../shared/, or skip the test with the reason where it is absent."""
    path = SHARED / subpath
    if not path.exists():
        pytest.skip(f"{path} is not here: ../shared/ exists only beside the developers' checkout and CI")
    return path


@pytest.fixture(scope="session")
def corpus() -> arviointi.Corpus:
    return arviointi.load_corpus(CORPUS)


@pytest.fixture(scope="session")
def token_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("token-cache")


@pytest.fixture(scope="session")
def all_tokens(corpus, token_cache):
    """Tokens of the whole corpus, interviewer turns included."""
    return corpus.tokens(cache_dir=token_cache, progress=False, include_interviewer=True)


@pytest.fixture(scope="session")
def tokens(corpus, all_tokens):
    """Tokens of the five real seed documents."""
    docs = set(corpus.documents.loc[corpus.documents["kind"] == "document", "doc_id"])
    return all_tokens[all_tokens["doc_id"].isin(docs)].reset_index(drop=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty corpus folder."""
    path = tmp_path / "aineisto"
    path.mkdir()
    return path
