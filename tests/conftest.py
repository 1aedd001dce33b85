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
def tokens(corpus, tmp_path_factory):
    return corpus.tokens(cache_dir=tmp_path_factory.mktemp("token-cache"), progress=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty corpus folder."""
    path = tmp_path / "aineisto"
    path.mkdir()
    return path
