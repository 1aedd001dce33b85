"""arviointi — a research toolkit for evaluating Finnish homelessness-prevention projects.

The data flows one way, one module per step::

    files ──readers/cleaning/transcripts──▶ Corpus (documents, segments) ──tokens──▶ token table
                                              └──pseudonymize──▶ Corpus (identifiers replaced)

>>> import arviointi
>>> corpus = arviointi.load_corpus("corpus")     # doctest: +SKIP
>>> tokens = corpus.tokens()                     # doctest: +SKIP
"""

from .corpus import Corpus, load_corpus
from .errors import ArviointiError, ArviointiWarning
from .pseudonymize import find_identifiers, pseudonymize, residual_check
from .tokens import entities, tokenize

__all__ = [
    "ArviointiError", "ArviointiWarning", "Corpus", "entities", "find_identifiers", "load_corpus",
    "pseudonymize", "residual_check", "tokenize",
]
__version__ = "0.1.0"
