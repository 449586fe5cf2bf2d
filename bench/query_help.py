"""How many wrong-layout queries and misspellings the search recovers, on the real corpus.

Imports ``../shared/corpus`` (or ``$ARKHIV_CORPUS``) into ``--home`` unless it holds an archive,
starts ``arkhiv serve`` on it and sends the set of :mod:`bench.query_help_words` to
``/api/search``:

* a layout query is recovered when the search ran the word meant (the same index terms) with
  the ``query.layout`` notice, or suggests it;
* a misspelling is recovered when the suggestion has the terms of the word meant;
* a correct query is falsely helped when it is converted or gets a suggestion.

It reports the misses, the time of the queries that needed help (p50, p95 and the slowest: the
one that built the vocabulary) and the server's ``RssAnon`` before and after.

    python -m bench.query_help --home /tmp/arkhiv-real
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.query_help_words import CORRECT, LAYOUT_EN, LAYOUT_UK, TYPOS
from bench.run import ARKHIV, ROOT, ArkhivServer
from index.searching.keyboard import TO_ENGLISH, TO_UKRAINIAN
from index.text.analysis import query_terms, tokenize

CORPUS = Path(os.environ.get("ARKHIV_CORPUS", ROOT.parent / "shared" / "corpus"))


def typed_in_other_layout(word: str) -> str:
    """``word`` as the keys that type it in its own layout type it in the other."""
    table = TO_UKRAINIAN if word.isascii() else TO_ENGLISH
    return "".join(table.get(char, char) for char in word)


def same_words(found: str | None, meant: str) -> bool:
    """``found`` looks for what ``meant`` does (each word shares a term with the word meant)."""
    if not found:
        return False
    a = [set(query_terms(w)) for _, _, _, w in tokenize(found)]
    b = [set(query_terms(w)) for _, _, _, w in tokenize(meant)]
    return len(a) == len(b) and all(x & y for x, y in zip(a, b, strict=True))


def memory(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) // 1024
    return -1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not (args.home / "index").exists():
        files = sorted(str(p) for p in CORPUS.glob("*.jsonl"))
        env = {**os.environ, "ARKHIV_HOME": str(args.home)}
        subprocess.run([str(ARKHIV), "import", "--no-progress", *files], env=env, check=True)
    with ArkhivServer(args.home, threads=4) as server:

        def search(q: str) -> tuple[dict, float]:
            url = server.url("/api/search?" + urllib.parse.urlencode({"q": q, "per_page": 5}))
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=600) as response:
                body = json.load(response)
            return body, (time.perf_counter() - started) * 1000

        for q in ("Україна", "government"):
            search(q)
        before = memory(server.process.pid)
        report: dict = {"layout": [], "typos": [], "correct": []}
        helped_ms: list[float] = []
        for word in LAYOUT_UK + LAYOUT_EN:
            typed = typed_in_other_layout(word)
            body, ms = search(typed)
            converted = any(n["code"] == "query.layout" for n in body["notices"])
            ok = (converted and same_words(body["searched"], word)) or same_words(
                body["suggestion"], word
            )
            report["layout"].append(
                {
                    "typed": typed,
                    "meant": word,
                    "searched": body["searched"],
                    "suggestion": body["suggestion"],
                    "total": body["total"],
                    "recovered": ok,
                }
            )
            helped_ms.append(ms)
        for typo, meant in TYPOS:
            body, ms = search(typo)
            # The analysis may already read a typo as the word meant ("footbal": stem footbal).
            ok = same_words(body["suggestion"], meant) or same_words(body["searched"], meant)
            report["typos"].append(
                {
                    "typed": typo,
                    "meant": meant,
                    "searched": body["searched"],
                    "suggestion": body["suggestion"],
                    "total": body["total"],
                    "recovered": ok,
                }
            )
            helped_ms.append(ms)
        for q in CORRECT:
            body, _ = search(q)
            wrong = body["searched"] != q or body["suggestion"] is not None
            report["correct"].append(
                {
                    "q": q,
                    "searched": body["searched"],
                    "suggestion": body["suggestion"],
                    "total": body["total"],
                    "falsely_helped": wrong,
                }
            )
        after = memory(server.process.pid)
    ordered = sorted(helped_ms)
    layout_ok = sum(r["recovered"] for r in report["layout"])
    typos_ok = sum(r["recovered"] for r in report["typos"])
    summary = {
        "layout_recovered": f"{layout_ok}/{len(report['layout'])}",
        "typos_recovered": f"{typos_ok}/{len(report['typos'])}",
        "correct_falsely_helped": sum(r["falsely_helped"] for r in report["correct"]),
        "helped_p50_ms": round(statistics.median(ordered), 1),
        "helped_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "helped_max_ms (the vocabulary built)": round(ordered[-1], 1),
        "rss_anon_mb_before": before,
        "rss_anon_mb_after": after,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    for kind in ("layout", "typos"):
        for r in report[kind]:
            if not r["recovered"]:
                print(
                    f"miss {kind}: {r['typed']!r} (meant {r['meant']!r}) searched "
                    f"{r['searched']!r} ({r['total']}), suggestion {r['suggestion']!r}"
                )
    for r in report["correct"]:
        if r["falsely_helped"]:
            print(
                f"false help: {r['q']!r} searched {r['searched']!r}, suggestion {r['suggestion']!r}"
            )
    if args.out:
        args.out.write_text(
            json.dumps({"summary": summary, **report}, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    sys.exit(main())
