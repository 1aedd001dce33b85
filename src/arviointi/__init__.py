"""arviointi — a research toolkit for evaluating Finnish homelessness-prevention projects.

The data flows one way, one module per step::

    files ──readers/cleaning──▶ Corpus (documents, segments) ──tokens──▶ token table

>>> import arviointi
>>> corpus = arviointi.load_corpus("corpus")     # doctest: +SKIP
>>> tokens = corpus.tokens()                     # doctest: +SKIP
"""

from .corpus import Corpus, load_corpus
from .errors import ArviointiError, ArviointiWarning
from .tokens import entities, tokenize

__all__ = ["ArviointiError", "ArviointiWarning", "Corpus", "entities", "load_corpus", "tokenize"]
__version__ = "0.1.0"
