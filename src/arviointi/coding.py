"""Theme coding: the codebook, Finnish-aware rules, a learned layer, and tables for the report.

The codebook (``corpus/codebook.yaml``) is hierarchical: three themes —
``kokemusasiantuntijuus``, ``haasteet``, ``hyvat_kaytannot`` — with sub-codes.
Rules match **lemmas and compound parts** of the Finnish model's tokens, so a rule
term ``kokemusasiantuntija`` matches "kokemusasiantuntijoiden" and ``asunnoton``
matches "piiloasunnottomia". Conditions (all must hold in one rule; a code
matches when any of its rules does):

``any``      at least one term occurs in the sentence
``all``      every term occurs (co-occurrence)
``phrase``   consecutive lemmas ("asunto ensin"); punctuation is skipped
``negated``  a term occurs in the scope of a negation ("emme onnistuneet", "ei toimi")
``affirmed`` a term occurs outside any negation ("se auttaa", but not "ei auta")
``unless``   none of these terms occurs

Keyword rules miss what is said without the keywords ("häätöjen määrä nousi" is
a challenge). :class:`ThemeClassifier` is a learned layer on top: logistic
regression on the Finnish model's word vectors and lemma/compound-part features,
trained on researcher-coded sentences (``corpus/coding/koodatut_lauseet.csv``,
which researchers extend with their own coding). :func:`autocode` combines
both. Auto-coding is a starting point for the researcher, not a result: the
report shows its precision and recall on sentences it was not built on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np
import pandas as pd
import yaml

from .errors import ArviointiError
from .readers import read_text

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

__all__ = [
    "THEMES", "CODING_COLUMNS", "Rule", "Code", "Codebook", "load_codebook", "sentences",
    "apply_rules", "ThemeClassifier", "load_training_sentences", "autocode", "code_texts",
    "evaluate", "code_matrix", "cooccurrence", "quotes",
]

#: The three top-level themes every codebook must have.
THEMES = ("kokemusasiantuntijuus", "haasteet", "hyvat_kaytannot")
#: Columns of an auto-coding table.
CODING_COLUMNS = ["doc_id", "segment_id", "start_char", "end_char", "code", "theme", "evidence", "text",
                  "source", "score"]
_RULE_KEYS = {"any", "all", "phrase", "negated", "affirmed", "unless"}
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_NEGATION_LEMMAS = {"ei"}


# ------------------------------------------------------------------ codebook

@dataclass(frozen=True)
class Rule:
    """One rule: every given condition must hold in the sentence."""

    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()
    negated: tuple[str, ...] = ()
    affirmed: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """A code: its id, Finnish label, description, colour, place in the tree and rules."""

    id: str
    label: str
    theme: str
    parent: str | None = None
    description: str = ""
    color: str | None = None
    rules: tuple[Rule, ...] = ()


@dataclass
class Codebook:
    """A hierarchical codebook: themes (``parent is None``) and their sub-codes.

    Examples
    --------
    >>> cb = load_codebook("corpus/codebook.yaml")
    >>> cb.themes
    ['kokemusasiantuntijuus', 'haasteet', 'hyvat_kaytannot']
    >>> cb["asumisneuvonta"].label, cb["asumisneuvonta"].theme
    ('Asumisneuvonta', 'hyvat_kaytannot')
    """

    codes: list[Code]
    path: Path | None = None
    _by_id: dict[str, Code] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: c for c in self.codes}

    @property
    def themes(self) -> list[str]:
        return [c.id for c in self.codes if c.parent is None]

    def __getitem__(self, code_id: str) -> Code:
        return self._by_id[code_id]

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def children(self, code_id: str) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def frame(self) -> pd.DataFrame:
        """The codebook as a table: ``code``, ``label``, ``theme``, ``parent``, ``description``, ``color``, ``n_rules``."""
        return pd.DataFrame(
            [{"code": c.id, "label": c.label, "theme": c.theme, "parent": c.parent, "description": c.description,
              "color": c.color, "n_rules": len(c.rules)} for c in self.codes]
        )


def load_codebook(path: str | Path | None = None, *, require: Sequence[str] | None = None) -> Codebook:
    """Read a codebook YAML file (default: ``corpus/codebook.yaml``, or ``../corpus/codebook.yaml``).

    Any themes may be defined (a new evaluation brings its own). ``require`` lists theme ids
    that must be there; by default the three themes of this evaluation are required when the
    default codebook is read, and none otherwise.

    Raises
    ------
    ArviointiError
        The file is missing or not valid YAML, a required theme is missing, an id repeats,
        a colour is not ``#RRGGBB`` or a rule has an unknown condition; the message
        names the file and the line of the code.
    """
    if require is None:
        require = THEMES if path is None else ()
    if path is None:
        candidates = [Path("corpus/codebook.yaml"), Path("../corpus/codebook.yaml")]
        path = next((p for p in candidates if p.is_file()), candidates[0])
    path = Path(path)
    text = read_text(path).text
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArviointiError(f"codebook is not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                             line=mark.line + 1 if mark is not None else None) from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise ArviointiError("a codebook needs a 'themes:' list", path=path)
    codes: list[Code] = []

    def line_of(code_id: str) -> int | None:
        m = re.search(rf"^\s*-?\s*id:\s*['\"]?{re.escape(code_id)}['\"]?\s*$", text, re.MULTILINE)
        return text.count("\n", 0, m.start()) + 1 if m else None

    def walk(entry: Any, theme: str | None, parent: str | None) -> None:
        if not isinstance(entry, dict) or "id" not in entry:
            raise ArviointiError(f"every code needs an 'id' (under {parent or 'themes'})", path=path)
        code_id = str(entry["id"])
        if any(c.id == code_id for c in codes):
            raise ArviointiError(f"code id {code_id!r} is used twice", path=path, line=line_of(code_id))
        color = entry.get("color")
        if color is not None and not _COLOR.fullmatch(str(color)):
            raise ArviointiError(f"colour of {code_id!r} must be #RRGGBB, got {color!r}", path=path,
                                 line=line_of(code_id))
        rules = tuple(_rule(r, code_id, path, line_of(code_id)) for r in entry.get("rules") or [])
        codes.append(Code(id=code_id, label=str(entry.get("label", code_id)), theme=theme or code_id,
                          parent=parent, description=str(entry.get("description", "")).strip(),
                          color=str(color) if color else None, rules=rules))
        for child in entry.get("codes") or []:
            walk(child, theme or code_id, code_id)

    for theme in data["themes"]:
        walk(theme, None, None)
    book = Codebook(codes=codes, path=path)
    missing = [t for t in require if t not in book.themes]
    if missing:
        raise ArviointiError(f"the codebook lacks the theme(s) {missing}", path=path)
    return book


def _rule(raw: Any, code_id: str, path: Path, line: int | None) -> Rule:
    if not isinstance(raw, dict) or not raw:
        raise ArviointiError(f"rule of {code_id!r} must be a mapping such as {{any: [...]}}", path=path, line=line)
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ArviointiError(f"rule of {code_id!r} has unknown condition(s) {sorted(unknown)}; "
                             f"use {sorted(_RULE_KEYS)}", path=path, line=line)

    def terms(key: str) -> tuple[str, ...]:
        value = raw.get(key) or ()
        if isinstance(value, str):
            value = value.split() if key == "phrase" else [value]
        return tuple(str(v).lower() for v in value)

    rule = Rule(any=terms("any"), all=terms("all"), phrase=terms("phrase"), negated=terms("negated"),
                affirmed=terms("affirmed"), unless=terms("unless"))
    if not (rule.any or rule.all or rule.phrase or rule.negated or rule.affirmed):
        raise ArviointiError(f"rule of {code_id!r} has no positive condition", path=path, line=line)
    return rule


# ------------------------------------------------------------------ sentences and rules

def sentences(tokens: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Sentences as units: ``doc_id``, ``sent_id``, ``segment_id``, ``start_char``, ``end_char``, ``text``.

    Offsets point into ``documents.text``; a sentence never crosses a segment.
    """
    if tokens.empty:
        return pd.DataFrame(columns=["doc_id", "sent_id", "segment_id", "start_char", "end_char", "text"])
    grouped = tokens.groupby(["doc_id", "sent_id", "segment_id"], sort=False)
    out = grouped.agg(start_char=("start_char", "min"), end_char=("end_char", "max")).reset_index()
    texts = dict(zip(documents["doc_id"], documents["text"]))
    out["text"] = [texts[d][a:b] for d, a, b in zip(out["doc_id"], out["start_char"], out["end_char"])]
    return out


@dataclass
class _Sentence:
    terms: dict[str, list[str]]          # term → surface forms
    lemmas: list[tuple[str, str]]        # (lemma, surface) in order, no punctuation
    negated: dict[str, list[str]]        # term → surface forms under negation
    affirmed: dict[str, list[str]]       # term → surface forms outside any negation


def _sentence_views(tokens: pd.DataFrame) -> dict[tuple[str, int], _Sentence]:
    views: dict[tuple[str, int], _Sentence] = {}
    cols = ["doc_id", "sent_id", "text", "lemma", "compound_parts", "is_punct", "is_mark"]
    for (doc_id, sent_id), group in tokens[cols].groupby(["doc_id", "sent_id"], sort=False):
        sent = _Sentence(terms={}, lemmas=[], negated={}, affirmed={})
        # words with their clause number: a punctuation mark closes a clause and bounds negation
        words: list[tuple[str, str, str, int]] = []
        clause = 0
        for t, lem, parts, punct, mark in group[cols[2:]].itertuples(index=False):
            if punct:
                clause += 1
            elif not mark:
                words.append((t, lem.lower(), parts, clause))
        in_scope: set[int] = set()
        for i, (text, lemma, _, cl) in enumerate(words):
            if lemma in _NEGATION_LEMMAS:
                for j in range(max(0, i - 2), min(len(words), i + 5)):
                    text2, lemma2, parts2, cl2 = words[j]
                    if lemma2 in _NEGATION_LEMMAS or cl2 != cl:
                        continue
                    in_scope.add(j)
                    for term in _terms_of(lemma2, parts2):
                        sent.negated.setdefault(term, []).append(f"{text} … {text2}")
        for j, (text, lemma, parts, _) in enumerate(words):
            for term in _terms_of(lemma, parts):
                sent.terms.setdefault(term, []).append(text)
                if j not in in_scope:
                    sent.affirmed.setdefault(term, []).append(text)
            sent.lemmas.append((lemma, text))
        views[(doc_id, int(sent_id))] = sent
    return views


def _terms_of(lemma: str, parts: str) -> set[str]:
    terms = {lemma, *(p for p in parts.lower().split("+") if p)}
    if "-" in lemma:
        terms.update(p for p in lemma.split("-") if p)
    return terms


def _match(rule: Rule, sent: _Sentence) -> list[str] | None:
    """The evidence (surface forms) if the rule matches, else ``None``."""
    evidence: list[str] = []
    if rule.unless and any(t in sent.terms for t in rule.unless):
        return None
    if rule.all:
        if not all(t in sent.terms for t in rule.all):
            return None
        evidence += [sent.terms[t][0] for t in rule.all]
    if rule.any:
        hits = [t for t in rule.any if t in sent.terms]
        if not hits:
            return None
        evidence += [sent.terms[t][0] for t in hits]
    if rule.phrase:
        n = len(rule.phrase)
        seq = [lem for lem, _ in sent.lemmas]
        starts = [i for i in range(len(seq) - n + 1) if tuple(seq[i:i + n]) == rule.phrase]
        if not starts:
            return None
        evidence.append(" ".join(s for _, s in sent.lemmas[starts[0]:starts[0] + n]))
    if rule.negated:
        hits = [t for t in rule.negated if t in sent.negated]
        if not hits:
            return None
        evidence += [sent.negated[t][0] for t in hits]
    if rule.affirmed:
        hits = [t for t in rule.affirmed if t in sent.affirmed]
        if not hits:
            return None
        evidence += [sent.affirmed[t][0] for t in hits]
    return list(dict.fromkeys(evidence))


def apply_rules(tokens: pd.DataFrame, documents: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Code sentences with the codebook's rules: one row per (sentence, code) match.

    A sub-code's match also codes its theme (with the sub-code's evidence), so
    theme-level counts include every sub-code.
    """
    units = sentences(tokens, documents)
    views = _sentence_views(tokens)
    rows = []
    for unit in units.itertuples(index=False):
        sent = views[(unit.doc_id, int(unit.sent_id))]
        theme_evidence: dict[str, list[str]] = {}
        for code in codebook.codes:
            for rule in code.rules:
                evidence = _match(rule, sent)
                if evidence is not None:
                    if code.parent is not None:
                        rows.append(_row(unit, code.id, code.theme, evidence, "rules", 1.0))
                    theme_evidence.setdefault(code.theme, []).extend(evidence)
                    break
        for theme, evidence in theme_evidence.items():
            rows.append(_row(unit, theme, theme, list(dict.fromkeys(evidence)), "rules", 1.0))
    out = pd.DataFrame(rows, columns=CODING_COLUMNS)
    return _sorted(out, codebook)


def _row(unit: Any, code: str, theme: str, evidence: Sequence[str], source: str, score: float) -> dict[str, Any]:
    return {"doc_id": unit.doc_id, "segment_id": unit.segment_id, "start_char": int(unit.start_char),
            "end_char": int(unit.end_char), "code": code, "theme": theme, "evidence": "; ".join(evidence),
            "text": unit.text, "source": source, "score": score}


def _sorted(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    order = {c.id: i for i, c in enumerate(codebook.codes)}
    codings = codings.assign(_o=codings["code"].map(order).fillna(len(order)))
    return codings.sort_values(["doc_id", "start_char", "_o"]).drop(columns="_o").reset_index(drop=True)


# ------------------------------------------------------------------ the learned layer

class ThemeClassifier:
    """Logistic regression per theme on sentence features from the Finnish model.

    Features: TF-IDF of lemmas and compound parts (with negated terms marked),
    and the mean of the model's 200-dimensional word vectors. Trained on
    researcher-coded sentences: a table with ``text`` and one 0/1 column per theme.

    Examples
    --------
    >>> clf = ThemeClassifier().fit(load_training_sentences("corpus/coding/koodatut_lauseet.csv"))
    >>> p = clf.predict_proba(["Asuntoja on liian vähän ja vuokrat nousevat.",
    ...                        "Kokemusasiantuntija koulutti työntekijöitä.",
    ...                        "Häätöjen määrä nousi selvästi."])
    >>> (p > 0.5).astype(int).values.tolist()   # the third is wrong: "häätö" mostly came with good practices
    [[0, 1, 0], [1, 0, 1], [0, 0, 1]]
    """

    def __init__(self, *, themes: Sequence[str] = THEMES, C: float = 2.0, threshold: float = 0.5) -> None:
        self.themes = tuple(themes)
        self.C = C
        self.threshold = threshold
        self.models: dict[str, Any] = {}
        self.vectorizer: Any = None
        self.n_train = 0

    def fit(self, coded: pd.DataFrame) -> ThemeClassifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        missing = [c for c in ("text", *self.themes) if c not in coded.columns]
        if missing:
            raise ArviointiError(f"training sentences lack the column(s) {missing}")
        terms, vectors = _features(coded["text"].tolist())
        self.vectorizer = TfidfVectorizer(analyzer=str.split, min_df=1, sublinear_tf=True)
        X = self._stack(self.vectorizer.fit_transform(terms), vectors)
        for theme in self.themes:
            y = coded[theme].astype(int).to_numpy()
            if y.min() == y.max():
                raise ArviointiError(f"training sentences have only one class for {theme!r}")
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000)
            self.models[theme] = model.fit(X, y)
        self.n_train = len(coded)
        return self

    @staticmethod
    def _stack(tfidf: Any, vectors: np.ndarray) -> Any:
        from scipy import sparse

        return sparse.hstack([tfidf, sparse.csr_matrix(vectors)]).tocsr()

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        """Probability of each theme for each text: one column per theme."""
        if not self.models:
            raise ArviointiError("the classifier has not been trained: call fit() first")
        terms, vectors = _features(list(texts))
        X = self._stack(self.vectorizer.transform(terms), vectors)
        return pd.DataFrame({t: m.predict_proba(X)[:, 1] for t, m in self.models.items()})


def _features(texts: list[str]) -> tuple[list[str], np.ndarray]:
    from .nlp import compound_parts, load_model

    nlp = load_model()
    terms, vectors = [], []
    # only what the features need: no dependency parser, no NER
    with nlp.select_pipes(disable=["parser", "ner"]):
        docs = list(nlp.pipe(texts, batch_size=64))
    for doc in docs:
        feats: list[str] = []
        negating = 0
        for tok in doc:
            if tok.is_space:
                continue
            if tok.is_punct:
                negating = 0  # negation does not reach past a clause boundary
                continue
            lemma = (tok.lemma_ or tok.text).lower()
            parts = "+".join(compound_parts(tok.text, tok.lemma_ or tok.text))
            these = _terms_of(lemma, parts)
            feats.extend(these)
            if negating:
                feats.extend(f"NEG_{t}" for t in these)
                negating -= 1
            if lemma in _NEGATION_LEMMAS:
                negating = 4
        terms.append(" ".join(feats) or "_")
        vectors.append(doc.vector if doc.has_vector else np.zeros(nlp.vocab.vectors_length))
    return terms, np.vstack(vectors) if vectors else np.zeros((0, 200))


def load_training_sentences(path: str | Path | None = None, *, themes: Sequence[str] = THEMES) -> pd.DataFrame:
    """Researcher-coded sentences (``text`` and a 0/1 column per theme), default
    ``corpus/coding/koodatut_lauseet.csv``."""
    if path is None:
        candidates = [Path("corpus/coding/koodatut_lauseet.csv"), Path("../corpus/coding/koodatut_lauseet.csv")]
        path = next((p for p in candidates if p.is_file()), candidates[0])
    path = Path(path)
    if not path.is_file():
        raise ArviointiError("training sentences not found", path=path)
    table = pd.read_csv(path)
    missing = [c for c in ("text", *themes) if c not in table.columns]
    if missing:
        raise ArviointiError(f"training sentences lack the column(s) {missing}", path=path, line=1)
    bad = table[~table[list(themes)].isin([0, 1]).all(axis=1)]
    if not bad.empty:
        raise ArviointiError("theme columns must hold 0 or 1", path=path, line=int(bad.index[0]) + 2)
    return table


# ------------------------------------------------------------------ auto-coding

def autocode(
    corpus: Corpus,
    codebook: Codebook | str | Path | None = None,
    *,
    method: str = "rules+classifier",
    classifier: ThemeClassifier | None = None,
    training: pd.DataFrame | str | Path | None = None,
    include_interviewer: bool = False,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Auto-code a corpus: one row per coded sentence and code.

    Parameters
    ----------
    corpus
        The corpus.
    codebook
        A :class:`Codebook`, a path, or ``None`` for ``codebook.yaml`` in the corpus folder.
    method
        ``"rules"``, ``"classifier"`` or ``"rules+classifier"`` (default): the
        classifier adds a theme where its probability is at least its threshold
        and no rule coded the theme.
    classifier
        A trained :class:`ThemeClassifier`; default: one trained on ``training``.
    training
        Researcher-coded sentences (table or CSV path); default
        ``coding/koodatut_lauseet.csv`` in the corpus folder.
    include_interviewer
        Code interviewer turns too (left out by default).

    Returns
    -------
    pandas.DataFrame
        :data:`CODING_COLUMNS`: ``doc_id``, ``segment_id``, ``start_char``, ``end_char``
        (the sentence, offsets into the document text), ``code``, ``theme`` (its
        top-level id), ``evidence`` (the matched words, or the classifier's
        probability), ``text``, ``source`` (``rules``/``classifier``), ``score``.
    """
    if method not in ("rules", "classifier", "rules+classifier"):
        raise ValueError("method must be 'rules', 'classifier' or 'rules+classifier'")
    book = _resolve_codebook(corpus, codebook)
    tokens = corpus.tokens(cache_dir=cache_dir, progress=False, include_interviewer=include_interviewer)
    rules = apply_rules(tokens, corpus.documents, book) if method != "classifier" else \
        pd.DataFrame(columns=CODING_COLUMNS)
    if method == "rules":
        return rules
    if classifier is None:
        if not isinstance(training, pd.DataFrame):
            default = corpus.root / "coding" / "koodatut_lauseet.csv" if corpus.root is not None else None
            if training is None and default is not None and default.is_file():
                training = default
            if training is None:
                import warnings

                from .errors import ArviointiWarning

                warnings.warn("no researcher-coded training sentences (coding/koodatut_lauseet.csv in the corpus): "
                              "coding with the codebook's rules only", ArviointiWarning, stacklevel=2)
                return rules
            training = load_training_sentences(training, themes=book.themes)
        classifier = _trained(training, tuple(book.themes))
    units = sentences(tokens, corpus.documents)
    probs = classifier.predict_proba(units["text"].tolist()) if len(units) else pd.DataFrame(columns=classifier.themes)
    coded = set(zip(rules["doc_id"], rules["start_char"], rules["code"]))
    rows = []
    for unit, (_, p) in zip(units.itertuples(index=False), probs.iterrows()):
        for theme in classifier.themes:
            if p[theme] >= classifier.threshold and (unit.doc_id, int(unit.start_char), theme) not in coded:
                rows.append(_row(unit, theme, theme, [f"luokitin p={p[theme]:.2f}"], "classifier", float(p[theme])))
    out = pd.concat([rules, pd.DataFrame(rows, columns=CODING_COLUMNS)], ignore_index=True)
    return _sorted(out, book)


_TRAINED: dict[tuple[str, tuple[str, ...]], ThemeClassifier] = {}


def _trained(training: pd.DataFrame, themes: tuple[str, ...]) -> ThemeClassifier:
    """A classifier fitted on ``training``, reused while this process sees the same coded sentences."""
    import hashlib

    from .nlp import model_version

    digest = hashlib.sha256(pd.util.hash_pandas_object(training[["text", *themes]], index=False).values.tobytes())
    key = (digest.hexdigest() + model_version(), themes)
    if key not in _TRAINED:
        _TRAINED[key] = ThemeClassifier(themes=themes).fit(training)
    return _TRAINED[key]


def _resolve_codebook(corpus: Corpus, codebook: Codebook | str | Path | None) -> Codebook:
    if isinstance(codebook, Codebook):
        return codebook
    if codebook is None and corpus.root is not None and (corpus.root / "codebook.yaml").is_file():
        return load_codebook(corpus.root / "codebook.yaml")
    return load_codebook(codebook)


def code_texts(
    texts: Sequence[str],
    codebook: Codebook,
    *,
    method: str = "rules+classifier",
    classifier: ThemeClassifier | None = None,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Code loose sentences (e.g. an evaluation set): one row per text, a 0/1 column per theme."""
    from .corpus import Corpus, SEGMENT_COLUMNS

    ids = [f"t{i:05d}" for i in range(len(texts))]
    documents = pd.DataFrame({"doc_id": ids, "kind": "document", "text": list(texts)})
    segments = pd.DataFrame({"doc_id": ids, "segment_id": [f"{i}:001" for i in ids], "start_char": 0,
                             "end_char": [len(t) for t in texts], "speaker": None, "role": None,
                             "start_time": np.nan, "end_time": np.nan, "text": list(texts)})[SEGMENT_COLUMNS]
    mini = Corpus(documents=documents, segments=segments)
    if method == "rules+classifier" and classifier is None:
        raise ArviointiError("code_texts needs a trained classifier for method='rules+classifier'")
    codings = autocode(mini, codebook, method=method, classifier=classifier, cache_dir=cache_dir) \
        if method != "rules" else autocode(mini, codebook, method="rules", cache_dir=cache_dir)
    out = pd.DataFrame({"text": list(texts)}, index=ids)
    for theme in codebook.themes:
        hit = set(codings.loc[codings["code"] == theme, "doc_id"])
        out[theme] = [int(i in hit) for i in ids]
    return out.reset_index(drop=True)


def evaluate(gold: pd.DataFrame, predicted: pd.DataFrame, *, themes: Sequence[str] = THEMES) -> pd.DataFrame:
    """Precision, recall and F1 per theme: ``theme``, ``support``, ``tp``, ``fp``, ``fn``, ``precision``,
    ``recall``, ``f1`` (rows aligned; 0/1 columns per theme)."""
    rows = []
    for theme in themes:
        g = gold[theme].astype(int).to_numpy()
        p = predicted[theme].astype(int).to_numpy()
        tp, fp, fn = int(((g == 1) & (p == 1)).sum()), int(((g == 0) & (p == 1)).sum()), int(((g == 1) & (p == 0)).sum())
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        rows.append({"theme": theme, "support": int(g.sum()), "tp": tp, "fp": fp, "fn": fn,
                     "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ tables for the report

def code_matrix(codings: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                codes: Iterable[str] | None = None, level: str = "theme") -> pd.DataFrame:
    """Coded sentences per code (rows) and group (columns: a document column such as
    ``doc_id``, ``project``, ``city`` or ``cities``; list columns are exploded).

    ``level="theme"`` counts themes, ``"code"`` every code.
    """
    column = "theme" if level == "theme" else "code"
    data = codings if level != "theme" else codings[codings["code"] == codings["theme"]]
    if by != "doc_id":
        meta = documents[["doc_id", by]].explode(by) if documents[by].map(lambda v: isinstance(v, list)).any() \
            else documents[["doc_id", by]]
        data = data.merge(meta, on="doc_id").dropna(subset=[by])
    table = pd.crosstab(data[column], data[by])
    if codes is not None:
        table = table.reindex(list(codes), fill_value=0)
    return table


def cooccurrence(codings: pd.DataFrame, *, level: str = "code") -> pd.DataFrame:
    """How many sentences two codes share (a symmetric code × code table; the diagonal counts each code)."""
    column = "theme" if level == "theme" else "code"
    data = codings if level != "theme" else codings[codings["code"] == codings["theme"]]
    onehot = pd.crosstab([data["doc_id"], data["start_char"]], data[column]).clip(upper=1)
    return onehot.T @ onehot


def quotes(codings: pd.DataFrame, documents: pd.DataFrame, *, code: str, city: str | None = None,
           n: int = 5, columns: Sequence[str] = ("project", "kind", "fictional")) -> pd.DataFrame:
    """Example sentences for a code (and city): the sentence, its document and metadata, longest
    evidence first; documents before fictional interviews when both are there."""
    data = codings[codings["code"] == code].merge(documents[["doc_id", "cities", *columns]], on="doc_id")
    if city is not None:
        data = data[data["cities"].map(lambda cs: city in cs)]
    data = data.assign(_n=data["evidence"].str.count(";"), _f=data.get("fictional", False).astype(bool))
    data = data.sort_values(["_f", "_n", "doc_id"], ascending=[True, False, True])
    return data.drop_duplicates(["doc_id", "start_char"]).head(n)[
        ["doc_id", "text", "evidence", *columns]].reset_index(drop=True)
