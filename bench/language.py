"""Language detection on the real corpus with every ``language`` field removed.

Measures the share detected correctly from the whole article (title, summary and body, as the
importer does) and from the title alone, and lists the misses. Usage::

    python -m bench.language [CORPUS_DIR]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from archive.language import detect_language

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    files = sorted(corpus.glob("*.jsonl"))
    if not files:
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    records = [json.loads(line) for path in files for line in path.open(encoding="utf-8")]
    for name, text_of in (
        ("whole article", lambda r: f"{r['title']}\n{r.get('summary') or ''}\n{r['body']}"),
        ("title alone", lambda r: r["title"]),
    ):
        started = time.perf_counter()
        misses = []
        outcomes: Counter[str] = Counter()
        for record in records:
            detection = detect_language(text_of(record))
            if detection.language == record["language"]:
                outcomes["right"] += 1
            else:
                outcomes["undetermined" if detection.language == "und" else "wrong"] += 1
                misses.append((record["language"], detection, record["title"]))
        seconds = time.perf_counter() - started
        share = outcomes["right"] / len(records)
        print(
            f"{name}: {outcomes['right']}/{len(records)} right ({share:.2%}); "
            f"{outcomes['wrong']} wrong, {outcomes['undetermined']} undetermined; "
            f"{len(records) / seconds:,.0f} articles/s"
        )
        for expected, detection, title in misses[:40]:
            print(
                f"  expected {expected}, got {detection.language} "
                f"({detection.confidence:.2f}): {title[:80]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
