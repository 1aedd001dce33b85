"""arviointi benchmarks: one run, the measurements side by side, ratios printed and saved as JSON.

    make bench            # or: .venv/bin/python bench/run.py [--out bench/results.json]

Measured here:
* text statistics: ``frequencies`` + ``keyness`` on a token table of at least 1 000 000 rows,
  made by replicating the corpus's real tokens (seed documents and example interviews)
  under new document ids spread over four cities.

Times are wall-clock on this machine (best of several repeats); compare ratios, not absolute
numbers, across machines.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import arviointi  # noqa: E402
from arviointi import textstats  # noqa: E402

CITIES = ["Espoo", "Lahti", "Tampere", "Vantaa"]


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def replicated_tokens(tokens: pd.DataFrame, documents: pd.DataFrame, n_tokens: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    copies = -(-n_tokens // len(tokens))
    frames, docs = [], []
    for i in range(copies):
        frames.append(tokens.assign(doc_id=tokens["doc_id"] + f"#{i}"))
        docs.append(documents[["doc_id"]].assign(doc_id=documents["doc_id"] + f"#{i}", city=CITIES[i % 4]))
    return pd.concat(frames, ignore_index=True), pd.concat(docs, ignore_index=True)


def bench_textstats(corpus: arviointi.Corpus, n_tokens: int) -> dict[str, float]:
    tokens = corpus.tokens(progress=False, include_interviewer=True)
    big, docs = replicated_tokens(tokens, corpus.documents, n_tokens)

    def freq_and_keyness() -> None:
        textstats.frequencies(big, by="city", documents=docs)
        textstats.keyness(big, by="city", target="Espoo", documents=docs)

    seconds = best_of(freq_and_keyness)
    return {"tokens": len(big), "frequency_plus_keyness_s": round(seconds, 3),
            "tokens_per_s": round(len(big) / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--tokens", type=int, default=1_000_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    corpus = arviointi.load_corpus(ROOT / "corpus")
    results = {
        "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine()},
        "textstats": bench_textstats(corpus, args.tokens),
    }
    ts = results["textstats"]
    print(f"frequency + keyness on {ts['tokens']:,} tokens: {ts['frequency_plus_keyness_s']:.2f} s "
          f"({ts['tokens_per_s']:,} tokens/s)")
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
