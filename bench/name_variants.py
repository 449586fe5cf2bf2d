"""How many articles each spelling of a name finds, and whether every spelling of one name finds
as many as its official spelling.

Run it on an archive home (the real corpus, ../shared/corpus, imported there), once with the
code before a change and once after; ``--before`` puts the earlier figures beside the new ones:

    python -m bench.name_variants --home /tmp/corpus-home --out before.json
    python -m bench.name_variants --home /tmp/corpus-home --before before.json

It uses only the search library's public entry points, so it runs on older code too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# Each name: its official (2010) spelling first, then the other spellings and the Cyrillic form.
NAMES: list[list[str]] = [
    ["Kyiv", "Kiev", "Київ", "Києві"],
    ["Kharkiv", "Kharkov", "Харків"],
    ["Odesa", "Odessa", "Одеса"],
    ["Chornobyl", "Chernobyl", "Чорнобиль"],
    ["Zelenskyi", "Zelensky", "Zelenskyy", "Zelenskiy", "Зеленський"],
    ["Tymoshenko", "Timoshenko", "Тимошенко"],
    ["Lviv", "Lvov", "Львів"],
    ["Mykolaiv", "Nikolaev", "Миколаїв"],
    ["Zaporizhzhia", "Zaporozhye", "Запоріжжя"],
    ["Dnipro", "Dnepr", "Дніпро"],
    ["Luhansk", "Lugansk", "Луганськ"],
    ['"Kryvyi Rih"', '"Krivoy Rog"', '"Кривий Ріг"'],
    # Russian forms (index/text/russian.py): Cyrillic and inflected, and the Russian-based Latin
    # spellings no table lists; the Ukrainian form first.
    ["Київ", "Киев", "Киеве", "Киева"],
    ["Харків", "Харьков", "Харькова"],
    ["Одеса", "Одесса", "Одессе"],
    ["Миколаїв", "Николаев", "Николаеве"],
    ["Дніпро", "Днепр", "Днепре"],
    ["Запоріжжя", "Запорожье", "Запорожья"],
    ["Львів", "Львов", "Львове"],
    ["Чернігів", "Чернигов", "Чернигове"],
    ["Зеленський", "Зеленский", "Зеленского"],
    ["Ющенко", "Yushchenko", "Yuschenko"],
    ["Глущенко", "Hlushchenko", "Glushchenko"],
    ["Dnipropetrovsk", "Dnepropetrovsk", "Днепропетровск"],
    # The Ukrainian layout with і typed for ї (index/searching/keyboard.py), and that word as typed.
    ["Україна", "Erhfsyf", "Украіна"],
]


def count(index, q: str) -> int:
    from index.searching.request import request_from_mapping

    answer = index.search(request_from_mapping({"q": q, "per_page": 1, "collapse": "0"}))
    return int(answer["total"])


def measure(home: Path) -> dict[str, int]:
    from archive.store import Store
    from index.searching.search import SearchIndex

    index = SearchIndex(home / "index", Store(home / "archive.sqlite3"))
    try:
        return {variant: count(index, variant) for name in NAMES for variant in name}
    finally:
        index.close()


def table(after: dict[str, int], before: dict[str, int] | None) -> list[str]:
    head = "| name | spelling | before | after |" if before else "| name | spelling | articles |"
    lines = [head, "|---|---|---:|---:|" if before else "|---|---|---:|"]
    for name in NAMES:
        official = after[name[0]]
        for variant in name:
            figures = [str(after[variant])]
            if before:
                figures.insert(0, str(before.get(variant, "")))
            lines.append(f"| {name[0]} | {variant} | {' | '.join(figures)} |")
        same = all(after[variant] == official for variant in name)
        was = before and all(before.get(v) == before.get(name[0]) for v in name)
        verdict = f"equal: {'yes' if same else 'NO'}"
        if before:
            verdict = f"equal before: {'yes' if was else 'no'}; after: {'yes' if same else 'NO'}"
        lines.append(f"| {name[0]} | *{verdict}* |" + (" | |" if before else " |"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("ARKHIV_HOME", ".")))
    parser.add_argument("--out", type=Path, help="write the counts here as JSON")
    parser.add_argument("--before", type=Path, help="counts of an earlier run, shown beside")
    args = parser.parse_args(argv)
    counts = measure(args.home)
    if args.out:
        args.out.write_text(json.dumps(counts, ensure_ascii=False, indent=1))
    before = json.loads(args.before.read_text()) if args.before else None
    print("\n".join(table(counts, before)))
    unequal = [name[0] for name in NAMES if len({counts[v] for v in name}) > 1]
    print(f"\nnames whose spellings find different counts: {', '.join(unequal) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
