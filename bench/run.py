"""arviointi benchmarks: one run, the measurements side by side, ratios printed and saved as JSON.

    make bench            # or: .venv/bin/python bench/run.py [--tokens-parse 200000] [--out bench/results.json]

The texts are the corpus's own (the five seed documents and the twelve example interviews),
replicated under new document ids until there are at least 200 000 tokens. Measured, in this order:

1. raw ``nlp.pipe`` with the Finnish model in one process, spaCy's defaults (the baseline);
2. arviointi's cold parse in one process (empty cache) — must be at least as fast as (1);
   (1) and (2) are measured interleaved, part by part, so that a drift in the machine's speed
   (seen here: the same raw run took 75 s once and 98 s another time) cannot favour either;
3. arviointi's cold parse on every core (empty cache) — target at least 1.6 × (1);
4. arviointi's parse from the cache (the same texts again) — target at least 50 × faster than (3);
5. the fast lemma path (tokenizer + Voikko, no neural components) in one process — target at
   least 15 × faster than (1), with lemma agreement with (2) on the seed documents ≥ 95 %;
6. frequency + keyness on a token table of at least 1 000 000 rows — target under 2 s;

and the peak resident memory of this process and of its worker processes (target < 2 GB).
Times are wall-clock on this machine; compare the ratios, not absolute numbers, across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import arviointi  # noqa: E402
from arviointi import nlp as nlp_module, textstats  # noqa: E402
from arviointi.corpus import Corpus  # noqa: E402

CITIES = ["Espoo", "Lahti", "Tampere", "Vantaa"]


def replicate(corpus: Corpus, copies: int) -> Corpus:
    """``copies`` copies of every document under new ids (so every copy is parsed, not cached)."""
    docs, segs = [], []
    for i in range(copies):
        docs.append(corpus.documents.assign(doc_id=corpus.documents["doc_id"] + f"-{i}",
                                            city=CITIES[i % len(CITIES)]))
        seg = corpus.segments.assign(doc_id=corpus.segments["doc_id"] + f"-{i}")
        seg["segment_id"] = seg["segment_id"].str.replace(":", f"-{i}:", n=1, regex=False)
        segs.append(seg)
    return Corpus(documents=pd.concat(docs, ignore_index=True), segments=pd.concat(segs, ignore_index=True))


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def clear_word_caches() -> None:
    for fn in (nlp_module.compound_parts, nlp_module.guess_pos, nlp_module.fast_lemma, nlp_module._prob):
        fn.cache_clear()


def peak_rss_mb() -> dict[str, float]:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"this_process_mb": round(self_kb / 1024), "largest_worker_mb": round(child_kb / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--tokens-parse", type=int, default=200_000)
    parser.add_argument("--tokens-stats", type=int, default=1_000_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    corpus = arviointi.load_corpus(ROOT / "corpus")
    model = nlp_module.load_model()
    per_copy = len(corpus.tokens(cache_dir=tempfile.mkdtemp(), progress=False, include_interviewer=True))
    copies = -(-args.tokens_parse // per_copy)
    big = replicate(corpus, copies)
    texts = big.segments["text"].tolist()
    cores = os.cpu_count() or 1
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cores": cores,
                    "processor": platform.processor() or platform.machine()},
        "corpus": {"copies": copies, "documents": len(big.documents), "segments": len(texts)},
    }
    print(f"{len(big.documents)} documents, {len(texts)} segments ({copies} copies of the corpus)")
    list(model.pipe(texts[:200]))  # warm-up, for both contenders

    def parse(corpus_part: Corpus, n_process: int, cache: str, components: str = "full") -> pd.DataFrame:
        return arviointi.tokenize(corpus_part, cache_dir=cache, progress=False, include_interviewer=True,
                                  n_process=n_process, components=components)

    # 1 and 2, interleaved over four parts of the corpus
    clear_word_caches()
    t_raw = t_one = 0.0
    n_raw = 0
    one_cache = tempfile.mkdtemp()
    for p in range(4):
        ids = set(big.documents["doc_id"].iloc[p::4])
        part = Corpus(documents=big.documents[big.documents["doc_id"].isin(ids)].reset_index(drop=True),
                      segments=big.segments[big.segments["doc_id"].isin(ids)].reset_index(drop=True))
        dt, n = timed(lambda: sum(len(d) for d in model.pipe(part.segments["text"].tolist())))
        t_raw, n_raw = t_raw + dt, n_raw + n
        dt, _ = timed(lambda: parse(part, 1, one_cache))
        t_one += dt
    full = parse(big, 1, one_cache)  # from the cache just filled, in corpus order
    print(f"1. raw nlp.pipe, 1 process:           {t_raw:7.1f} s  ({n_raw / t_raw:,.0f} tokens/s)")
    print(f"2. arviointi cold, 1 process:         {t_one:7.1f} s  ({len(full) / t_one:,.0f} tokens/s)")
    clear_word_caches()
    cache = tempfile.mkdtemp()
    t_all, both = timed(lambda: parse(big, cores, cache))
    print(f"3. arviointi cold, {cores} processes:        {t_all:7.1f} s  ({len(both) / t_all:,.0f} tokens/s)")
    rss_parse = peak_rss_mb()
    t_cache, again = timed(lambda: parse(big, cores, cache))
    print(f"4. arviointi from cache:              {t_cache:7.2f} s")
    assert again.equals(both) and both.equals(full), "the parse must not depend on processes or the cache"

    calls = {"pipe": 0}
    original_pipe = model.pipe

    def counting_pipe(*a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls["pipe"] += 1
        return original_pipe(*a, **k)

    model.pipe = counting_pipe
    clear_word_caches()
    t_fast, fast = timed(lambda: parse(big, 1, tempfile.mkdtemp(), "lemma"))
    model.pipe = original_pipe
    seed = full["doc_id"].str.rsplit("-", n=1).str[0].isin(corpus.documents.loc[corpus.documents["kind"] == "document",
                                                                                 "doc_id"])
    first_copy = full["doc_id"].str.endswith("-0")
    agreement = float((fast.loc[seed & first_copy, "lemma"] == full.loc[seed & first_copy, "lemma"]).mean())
    interviews = first_copy & ~seed
    agreement_interviews = float((fast.loc[interviews, "lemma"] == full.loc[interviews, "lemma"]).mean())
    print(f"5. fast lemma path, 1 process:        {t_fast:7.2f} s  ({len(fast) / t_fast:,.0f} tokens/s); "
          f"neural pipeline calls: {calls['pipe']}; lemma agreement {agreement:.1%} (seed documents), "
          f"{agreement_interviews:.1%} (interviews)")

    stats_copies = -(-args.tokens_stats // len(full))
    stats_tokens = pd.concat([full.assign(doc_id=full["doc_id"] + f"/{i}") for i in range(stats_copies)],
                             ignore_index=True)
    stats_docs = pd.concat([big.documents[["doc_id", "city"]].assign(doc_id=big.documents["doc_id"] + f"/{i}")
                            for i in range(stats_copies)], ignore_index=True)

    def freq_and_keyness() -> None:
        textstats.frequencies(stats_tokens, by="city", documents=stats_docs)
        textstats.keyness(stats_tokens, by="city", target="Espoo", documents=stats_docs)

    t_stats = min(timed(freq_and_keyness)[0] for _ in range(3))
    print(f"6. frequency + keyness, {len(stats_tokens):,} tokens: {t_stats:5.2f} s")

    ratios = {
        "cold_1_process_vs_raw": round(t_raw / t_one, 2),
        "cold_all_cores_vs_raw": round(t_raw / t_all, 2),
        "cache_vs_cold_all_cores": round(t_all / t_cache, 1),
        "fast_lemma_vs_raw": round(t_raw / t_fast, 1),
    }
    targets = {"cold_1_process_vs_raw": 1.0, "cold_all_cores_vs_raw": 1.6, "cache_vs_cold_all_cores": 50,
               "fast_lemma_vs_raw": 15}
    results.update({
        "tokens": len(full),
        "seconds": {"raw_nlp_pipe": round(t_raw, 2), "cold_1_process": round(t_one, 2),
                    f"cold_{cores}_processes": round(t_all, 2), "from_cache": round(t_cache, 3),
                    "fast_lemma_path": round(t_fast, 3), "frequency_plus_keyness": round(t_stats, 3)},
        "tokens_stats": len(stats_tokens),
        "ratios": ratios,
        "targets": targets,
        "fast_lemma_agreement": {"seed_documents": round(agreement, 4), "interviews": round(agreement_interviews, 4)},
        "fast_path_neural_calls": calls["pipe"],
        "peak_rss_while_parsing": rss_parse,
    })
    print("\nratios (target):")
    for name, value in ratios.items():
        mark = "ok" if value >= targets[name] else "BELOW TARGET"
        print(f"  {name:28s} {value:8.2f}  (≥ {targets[name]})  {mark}")
    print(f"  frequency + keyness {t_stats:.2f} s (< 2 s)  {'ok' if t_stats < 2 else 'ABOVE TARGET'}")
    print(f"  peak RSS while parsing: {rss_parse['this_process_mb']} MB here, "
          f"{rss_parse['largest_worker_mb']} MB largest worker (< 2048 MB)")
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
