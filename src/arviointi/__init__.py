"""arviointi — a research toolkit for evaluating Finnish homelessness-prevention projects.

The data flows one way, one module per step::

    files ──readers/cleaning/transcripts──▶ Corpus (documents, segments) ──tokens──▶ token table
                                              └──pseudonymize──▶ Corpus (identifiers replaced)
    token table ──coding (codebook rules + classifier)──▶ codings ──qda──▶ .qdpx / .qdc
    token table ──textstats──▶ frequencies, keyness, KWIC, collocations
    codings ──compare──▶ tests, rate ratios ──plots──▶ figures;  register ──▶ rates per 1 000

>>> import arviointi
>>> corpus = arviointi.load_corpus("corpus")     # doctest: +SKIP
>>> tokens = corpus.tokens()                     # doctest: +SKIP
"""

from . import coding, compare  # noqa: F401 - modules reachable as arviointi.coding, arviointi.compare
from .agreement import agreement, disagreements
from .coding import Codebook, ThemeClassifier, autocode, code_matrix, cooccurrence, load_codebook, quotes
from .compare import compare_codes, contingency_test, rate_ratios
from .corpus import Corpus, load_corpus
from .errors import ArviointiError, ArviointiWarning
from .pseudonymize import find_identifiers, pseudonymize, residual_check
from .qda import export_qdc, export_qdpx, read_qdpx
from .register import load_register, rates_per_1000
from .textstats import collocations, dtm, frequencies, keyness, kwic, ngrams
from .tokens import entities, tokenize

__all__ = [
    "ArviointiError", "ArviointiWarning", "Codebook", "Corpus", "ThemeClassifier", "agreement", "autocode",
    "code_matrix", "collocations", "compare_codes", "contingency_test", "cooccurrence", "disagreements", "dtm",
    "entities", "export_qdc", "export_qdpx", "find_identifiers", "frequencies", "keyness", "kwic",
    "load_codebook", "load_corpus", "load_register", "ngrams", "pseudonymize", "quotes", "rate_ratios",
    "rates_per_1000", "read_qdpx", "residual_check", "tokenize",
]
__version__ = "0.1.0"
