"""The Finnish language pipeline: the spaCy model and Voikko compound analysis.

arviointi parses Finnish with spaCy and the Finnish model
``spacy-fi-experimental-web-md`` (PyPI), whose lemmatizer is built on the
morphological analyser Voikko (system library ``libvoikko1`` and dictionary
``voikko-fi``). Compound words are split into their parts with Voikko's word
bases, so that "asunnottomuustyön" counts for both *asunnottomuus* and *työ*.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from .errors import ArviointiError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["MODEL_NAME", "load_model", "model_version", "compound_parts", "voikko_version"]

#: The spaCy package name of the Finnish model.
MODEL_NAME = "spacy_fi_experimental_web_md"

_VOIKKO_HELP = (
    "Voikko, the Finnish morphology library the Finnish model needs, is missing. "
    "Install it with:  sudo apt-get install libvoikko1 voikko-fi  (Debian/Ubuntu)  "
    "or  brew install libvoikko  (macOS)"
)


@functools.lru_cache(maxsize=4)
def load_model(*, disable: tuple[str, ...] = ()) -> Language:
    """Load the Finnish spaCy model once per process (with ``disable``\\ d components off).

    Raises
    ------
    ArviointiError
        The model package or Voikko is not installed (the message says how to install).

    Examples
    --------
    >>> nlp = load_model()
    >>> [t.lemma_ for t in nlp("Kokemusasiantuntijat auttoivat.")]
    ['kokemusasiantuntija', 'auttaa', '.']
    """
    try:
        import spacy

        return spacy.load(MODEL_NAME, disable=list(disable))
    except OSError as exc:
        if "voikko" in str(exc).lower():
            raise ArviointiError(_VOIKKO_HELP) from None
        raise ArviointiError(
            f"the Finnish model {MODEL_NAME!r} is not installed: pip install spacy-fi-experimental-web-md ({exc})"
        ) from None
    except Exception as exc:  # libvoikko raises its own error types when the dictionary is missing
        if "voikko" in f"{type(exc).__name__} {exc}".lower():
            raise ArviointiError(_VOIKKO_HELP) from None
        raise


def model_version() -> str:
    """``"<model name> <model version> (spaCy <version>)"``: part of every cache key."""
    import spacy
    from importlib.metadata import version

    return f"{MODEL_NAME} {version('spacy-fi-experimental-web-md')} (spaCy {spacy.__version__})"


@functools.lru_cache(maxsize=1)
def _voikko():  # type: ignore[no-untyped-def]
    try:
        import libvoikko

        return libvoikko.Voikko("fi")
    except Exception:  # noqa: BLE001 - libvoikko raises OSError or VoikkoException
        raise ArviointiError(_VOIKKO_HELP) from None


def voikko_version() -> str:
    """The Voikko library and dictionary versions: part of every cache key."""
    import libvoikko

    dicts = ",".join(f"{d.language}-{d.script}-{d.variant}" for d in libvoikko.Voikko.listDicts())
    return f"libvoikko {libvoikko.Voikko.getVersion()} [{dicts}]"


# "+asunno(asunto)+ttomu(+ton)+us(+us)+työ(työ)": a morpheme is "+surface(base)";
# a base starting with "+" marks a derivational suffix, not a new compound part.
# Some morphemes come without a base ("+sosiaali+työ(työ)", "+neuvo(neuvoa)+n+ta(+ta)").
_WORDBASE = re.compile(r"\+([^+(]+)(?:\(([^)]*)\))?")
_NAME_CLASSES = {"etunimi", "sukunimi", "paikannimi", "nimi"}


@functools.lru_cache(maxsize=200_000)
def compound_parts(word: str, lemma: str) -> tuple[str, ...]:
    """Split a word into its compound parts, each in base form (Voikko word bases).

    Derivational suffixes stay with their stem ("asunnottomuus", not "asunto" +
    "ton" + "us"). A genitive modifier directly before a derived agent noun stays
    with it, because such pairs are lexicalised words ("asiantuntija", not "asia" +
    "tuntija"). The last part is taken from ``lemma`` so it is in base form; the
    others are in their compound-initial form ("asunnottomuus"), which for a
    genitive modifier is its base form ("kaupungin" → "kaupunki"). Proper names
    are not split. A word Voikko does not know gives ``(lemma,)``; a token with
    no letters gives ``()``.

    Examples
    --------
    >>> compound_parts("asunnottomuustyön", "asunnottomuustyö")
    ('asunnottomuus', 'työ')
    >>> compound_parts("kokemusasiantuntijoiden", "kokemusasiantuntija")
    ('kokemus', 'asiantuntija')
    >>> compound_parts("piiloasunnottomia", "piiloasunnoton")
    ('piilo', 'asunnoton')
    >>> compound_parts("Jyväskylässä", "Jyväskylä")
    ('Jyväskylä',)
    """
    if not any(ch.isalpha() for ch in word):
        return ()
    analyses = _voikko().analyze(word)
    if not analyses:
        return (lemma,)
    lemma_l = lemma.lower()
    matching = [a for a in analyses if a.get("BASEFORM", "").lower() == lemma_l] or analyses[:1]
    # of equally good analyses, the least segmented ("oikeus", not "oike" + "us")
    analysis = min(matching, key=lambda a: a.get("WORDBASES", "").count("+"))
    if analysis.get("CLASS") in _NAME_CLASSES:
        return (lemma,)
    morphemes = _WORDBASE.findall(analysis.get("WORDBASES", ""))
    # group each root morpheme with the derivational suffixes that follow it
    groups: list[list[tuple[str, str]]] = []
    for surface, base in morphemes:
        if groups and (base.startswith("+") or (not base and len(surface) <= 2)):
            groups[-1].append((surface, base or "+"))
        else:
            groups.append([(surface, base)])
    # a genitive modifier before a derived word: "asian" + "tunti+ja" → "asiantuntija"
    merged: list[list[tuple[str, str]]] = []
    for group in groups:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and len(prev) == 1
            and prev[0][0].lower().endswith("n")
            and prev[0][0].lower() != prev[0][1].lower()
            and len(group) > 1
        ):
            prev.extend(group)
        else:
            merged.append(list(group))
    if len(merged) <= 1:
        return (lemma,)
    parts: list[str] = []
    consumed = 0
    for group in merged[:-1]:
        surface = "".join(s for s, _ in group)
        consumed += len(surface)
        parts.append(_part_base_form(group, surface).lower())
    last = lemma[consumed:] if lemma_l[:consumed] == "".join(
        s for g in merged[:-1] for s, _ in g).lower() else "".join(s for s, _ in merged[-1])
    parts.append(last.lower())
    return tuple(p for p in parts if p)


def _part_base_form(group: list[tuple[str, str]], surface: str) -> str:
    """The base form of a non-final compound part, from its Voikko morphemes."""
    root_surface, root_base = group[0]
    if len(group) == 1 and root_base:
        # a verbal noun in compound form: "asumis(asua)" → "asuminen"
        if surface.endswith("mis") and root_base[-1:] in ("a", "ä"):
            return surface[:-1] + "nen"
        return root_base.replace("=", "")  # "kaupungin(kaupunki)" → "kaupunki"
    # s-stems in compound form: "aikais" (+inen) → "aikainen", "kehittämis" → "kehittäminen"
    if group[-1][1] in ("+inen", "+minen") and surface.endswith("s"):
        return surface[:-1] + "nen"
    return surface


# ------------------------------------------------------------------ the fast lemma path

_CLASS_POS = {
    "nimisana": "NOUN", "nimisana_laatusana": "ADJ", "laatusana": "ADJ", "teonsana": "VERB",
    "seikkasana": "ADV", "asemosana": "PRON", "suhdesana": "ADP", "lukusana": "NUM", "kieltosana": "AUX",
    "huudahdussana": "INTJ", "lyhenne": "NOUN", "etunimi": "PROPN", "sukunimi": "PROPN", "paikannimi": "PROPN",
    "nimi": "PROPN",
}
#: Word classes tried first: frequent closed-class words ("eli", "kuin", "jälkeen", "lisäksi") are far more
#: often the conjunction/adposition/adverb than the rare content word Voikko also offers.
_CLASS_ORDER = ["kieltosana", "sidesana", "suhdesana", "asemosana", "seikkasana", "laatusana", "nimisana_laatusana",
                "nimisana", "lukusana", "teonsana", "lyhenne", "huudahdussana"]
_SUBORDINATORS = {"että", "kun", "jos", "koska", "jotta", "vaikka", "kuin", "mikäli", "kunnes", "jollei", "ettei",
                  "jottei", "kuten"}
_ADVERB_CASES = {"tulento"}


@functools.lru_cache(maxsize=200_000)
def _prob(word: str) -> float:
    """The model's log probability of a word (its frequency table); -20 for unknown words."""
    return float(load_model().vocab[word.lower()].prob) if word else -20.0


@functools.lru_cache(maxsize=200_000)
def guess_pos(word: str, sentence_initial: bool = False) -> str:
    """A Universal Dependencies part of speech from Voikko's analyses alone (no neural tagger).

    Used by the fast lemma path to choose among Voikko's readings the way the model's
    lemmatizer would with the tagger's POS.

    Examples
    --------
    >>> guess_pos("asumisen"), guess_pos("lisäksi"), guess_pos("Espoossa"), guess_pos("olevia")
    ('NOUN', 'ADV', 'PROPN', 'VERB')
    """
    if not any(ch.isalnum() for ch in word):
        return "PUNCT"
    if word.replace(",", "").replace(".", "").isdigit():
        return "NUM"
    analyses = _voikko().analyze(word)
    if not analyses:
        return "PROPN" if word[:1].isupper() and not sentence_initial else "X"
    names = [a for a in analyses if a.get("CLASS") in _NAME_CLASSES]
    if names and word[:1].isupper() and (not sentence_initial or len(names) == len(analyses)):
        return "PROPN"
    readings = [a for a in analyses if a.get("CLASS") not in _NAME_CLASSES] or analyses
    # the most frequent lemma wins (the model's word probabilities), then the class order
    best = max(readings, key=lambda a: (_prob(a.get("BASEFORM", "")),
                                        -(_CLASS_ORDER.index(a["CLASS"]) if a.get("CLASS") in _CLASS_ORDER else 99)))
    # a translative that is a frequent word of its own is an adverb: "lisäksi", "esimerkiksi"
    if (best.get("SIJAMUOTO") in _ADVERB_CASES and best.get("CLASS") in ("nimisana", "laatusana")
            and _prob(word.lower()) > _prob(best.get("BASEFORM", "")) + 1.0):
        return "ADV"
    cls = best.get("CLASS")
    if cls == "sidesana":
        return "SCONJ" if best.get("BASEFORM", "").lower() in _SUBORDINATORS else "CCONJ"
    if "PARTICIPLE" in best and cls in ("laatusana", "nimisana") and best.get("PARTICIPLE") != "agent":
        return "VERB"
    if cls == "teonsana":
        if best.get("MOOD") == "MINEN-infinitive":
            return "NOUN"
        return "AUX" if best.get("BASEFORM") in ("olla", "ei") else "VERB"
    if cls in ("laatusana", "lukusana") and best.get("SIJAMUOTO") == "kerrontosti":
        return "ADV"
    return _CLASS_POS.get(cls, "X")


@functools.lru_cache(maxsize=1)
def _fast_lemmatizer():  # type: ignore[no-untyped-def]
    """The model's own Voikko lemmatizer component, used without the neural components."""
    return load_model().get_pipe("lemmatizer")


@functools.lru_cache(maxsize=400_000)
def fast_lemma(word: str, pos: str) -> str:
    """The lemma the model's Voikko lemmatizer gives ``word`` with part of speech ``pos``.

    Examples
    --------
    >>> fast_lemma("asunnottomuuden", "NOUN"), fast_lemma("kehittämiseen", "NOUN"), fast_lemma("STM:n", "PROPN")
    ('asunnottomuus', 'kehittäminen', 'STM')
    """
    from spacy.tokens import Doc

    lemmatizer = _fast_lemmatizer()
    doc = Doc(lemmatizer.vocab, words=[word], pos=[pos])
    token = doc[0]
    if pos in ("PUNCT", "SPACE"):
        return word
    return lemmatizer.lemmatize(token, lemmatizer._analyze(token)) or word
