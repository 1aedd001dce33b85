"""The README's quick tour runs as written, and shows what it claims."""

from __future__ import annotations

import os
import re
import warnings

from .conftest import REPO


def test_quick_tour_runs(monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = re.search(r"## A quick tour\n\n```python\n(.*?)```", readme, re.DOTALL).group(1)
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(tour, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    shown = namespace["tokens"][["text", "lemma", "compound_parts"]].head(3).values.tolist()
    assert shown == [["Suomen", "Suomi", "Suomi"], ["asunnottomuustyö", "asunnottomuustyö", "asunnottomuus+työ"],
                     ["kiinnostaa", "kiinnostaa", "kiinnostaa"]]
    assert namespace["codings2"].shape[0] == namespace["codings"].shape[0]
    assert not os.path.exists(REPO / "arviointi.qdpx")
