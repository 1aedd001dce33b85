"""The ``arviointi`` command line.

    arviointi report                               # execute the notebooks, build HTML + PDF, check for personal data
    arviointi code CORPUS --out coded.csv          # auto-code a corpus with its codebook
    arviointi pseudonymize CORPUS --out DIR --key avain.csv --allow Espoo --allow Lahti
    arviointi export-qdpx CORPUS --out projekti.qdpx [--codings coded.csv]
    arviointi tokens CORPUS --out tokens.parquet [--fast]

Every subcommand has ``--help``. Bad input is reported in one line naming the file (and line),
with exit status 2; nothing is written half-way.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Sequence

import pandas as pd
import yaml

from .errors import ArviointiError, ArviointiWarning

__all__ = ["main", "write_corpus"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arviointi",
        description="Tools for evaluating Finnish homelessness-prevention projects: Finnish NLP, "
                    "theme coding, pseudonymisation, QDA exchange and the evaluation report.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("report", help="execute the notebooks and publish the report (HTML and PDF)",
                       description="Build the report from notebooks/ into _build/ (Jupyter Book v1); fails if a "
                                   "page contains an original value from a pseudonymisation key in .avain/.")
    p.add_argument("--root", default=".", help="project folder with notebooks/ (default: .)")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF")

    p = sub.add_parser("code", help="auto-code a corpus with its codebook",
                       description="Code every sentence of a corpus with the codebook's rules and the learned layer.")
    p.add_argument("corpus", help="the corpus folder")
    p.add_argument("--out", required=True, help="CSV file for the codings")
    p.add_argument("--codebook", help="codebook YAML (default: CORPUS/codebook.yaml)")
    p.add_argument("--method", default="rules+classifier", choices=["rules", "classifier", "rules+classifier"])
    p.add_argument("--training", help="researcher-coded sentences CSV (default: CORPUS/coding/koodatut_lauseet.csv)")

    p = sub.add_parser("pseudonymize", help="write a pseudonymised copy of a corpus",
                       description="Replace persons, addresses, places, organisations, phone numbers, e-mail "
                                   "addresses and personal identity codes with FSD-style tokens.")
    p.add_argument("corpus", help="the corpus folder")
    p.add_argument("--out", required=True, help="folder for the pseudonymised corpus (must not exist or be empty)")
    p.add_argument("--key", required=True, help="CSV file for the key (outside the corpus folder)")
    p.add_argument("--allow", action="append", default=[], help="a name to keep (repeat: --allow Espoo --allow AKU)")
    p.add_argument("--kind", action="append", help="write only the documents of this kind (e.g. transcript)")
    p.add_argument("--candidates", help="write the candidate table here for review and stop")
    p.add_argument("--reviewed", help="apply a reviewed candidate table (decision column: replace/keep)")

    p = sub.add_parser("export-qdpx", help="export corpus, codebook and codings as a REFI-QDA project",
                       description="Write a .qdpx for ATLAS.ti, NVivo, MAXQDA or QualCoder.")
    p.add_argument("corpus", help="the corpus folder")
    p.add_argument("--out", required=True, help="the .qdpx file")
    p.add_argument("--codings", help="codings CSV (default: auto-code the corpus)")
    p.add_argument("--codebook", help="codebook YAML (default: CORPUS/codebook.yaml)")

    p = sub.add_parser("tokens", help="parse a corpus and write the token table",
                       description="Parse with the Finnish model (cached) and write the token table.")
    p.add_argument("corpus", help="the corpus folder")
    p.add_argument("--out", required=True, help=".parquet or .csv file")
    p.add_argument("--fast", action="store_true", help="the fast lemma path (no POS, NER)")
    p.add_argument("--include-interviewer", action="store_true", help="keep interviewer turns")
    return parser


def write_corpus(corpus, out: Path) -> None:  # noqa: ANN001 - a Corpus
    """Write a corpus as a folder that :func:`arviointi.load_corpus` reads back: documents with YAML
    front matter under ``documents/``, transcripts (``Speaker: words`` turns) under ``transcripts/``."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ArviointiError("the output folder is not empty", path=out)
    skip = {"text", "raw_text", "path", "encoding", "n_chars", "n_turns", "format", "pseudonymized"}
    for row in corpus.documents.to_dict("records"):
        meta = {}
        for key, value in row.items():
            if key in skip or value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
                continue
            meta[key] = value.date().isoformat() if isinstance(value, pd.Timestamp) else value
        folder = out / ("transcripts" if row.get("kind") == "transcript" else "documents")
        folder.mkdir(exist_ok=True)
        if row.get("kind") == "transcript":
            turns = corpus.segments[corpus.segments["doc_id"] == row["doc_id"]]
            meta["speakers"] = {str(s).strip("[]"): r for s, r in zip(turns["speaker"], turns["role"])}
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        (folder / f"{row['doc_id']}.txt").write_text(f"---\n{front}---\n{row['text']}\n", encoding="utf-8")


def _run(args: argparse.Namespace) -> int:
    import arviointi

    if args.command == "report":
        from .report import build_report

        index = build_report(args.root, pdf=not args.no_pdf)
        print(f"report: {index}")
        return 0
    corpus = arviointi.load_corpus(args.corpus)
    if args.command == "code":
        codings = arviointi.autocode(corpus, args.codebook, method=args.method, training=args.training)
        codings.to_csv(args.out, index=False)
        print(f"{len(codings)} codings of {codings[['doc_id', 'start_char']].drop_duplicates().shape[0]} sentences "
              f"→ {args.out}")
    elif args.command == "pseudonymize":
        if args.kind:
            corpus = corpus.select(kind=args.kind)
        if args.candidates:
            table = arviointi.find_identifiers(corpus, allow=args.allow)
            table.assign(contexts=table["contexts"].map(" || ".join)).to_csv(args.candidates, index=False)
            print(f"{len(table)} candidates → {args.candidates}: set 'decision' to keep/replace, then run again "
                  "with --reviewed")
            return 0
        reviewed = pd.read_csv(args.reviewed) if args.reviewed else None
        safe = arviointi.pseudonymize(corpus, allow=args.allow, key_path=args.key, candidates=reviewed)
        write_corpus(safe, Path(args.out))
        key = pd.read_csv(args.key)
        print(f"{len(key)} identifiers replaced ({', '.join(f'{n} {t}' for t, n in key['type'].value_counts().items())}); "
              f"corpus → {args.out}, key → {args.key}")
    elif args.command == "export-qdpx":
        codings = pd.read_csv(args.codings) if args.codings else arviointi.autocode(corpus, args.codebook)
        path = arviointi.export_qdpx(corpus, codings, args.out, codebook=args.codebook)
        print(f"{len(corpus.documents)} sources, {len(codings)} codings → {path}")
    elif args.command == "tokens":
        tokens = corpus.tokens(components="lemma" if args.fast else "full",
                               include_interviewer=args.include_interviewer)
        if args.out.endswith(".csv"):
            tokens.to_csv(args.out, index=False)
        else:
            tokens.to_parquet(args.out, index=False)
        print(f"{len(tokens)} tokens → {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``arviointi`` command."""
    args = _parser().parse_args(argv)
    warnings.simplefilter("default", ArviointiWarning)
    warnings.formatwarning = lambda message, category, *a, **k: f"varoitus: {message}\n"  # type: ignore[assignment]
    try:
        return _run(args)
    except ArviointiError as exc:
        print(f"virhe: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
