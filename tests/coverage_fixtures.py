"""A small archive whose coverage is known, for the timeline and words tests: articles about a
grain corridor (English) and «зерно» (Ukrainian), about port strikes, and about other things,
spread over 2021-2023; one story reprinted by three outlets in two months; one undated article.

Each body is a topic sentence and filler drawn at random (seeded) from neutral words, so no two
articles but the reprints are copies of one story."""

from __future__ import annotations

import random
from pathlib import Path

from tests.conftest import run_arkhiv, write_jsonl

NEUTRAL_EN = str.split(
    "morning evening city people weather street house garden window table meeting letter "
    "friend family music picture river forest road bridge market school teacher colour light "
    "winter summer autumn spring village neighbour dinner breakfast kitchen story holiday"
)
NEUTRAL_UK = str.split(
    "ранок вечір місто люди погода вулиця будинок сад вікно стіл зустріч лист друг родина "
    "музика картина річка ліс дорога міст ринок школа вчитель колір світло зима літо осінь "
    "весна село сусід обід сніданок кухня свято"
)

TOPICS = {
    # topic: (language, how many, sentence, source)
    "grain": (
        "en",
        14,
        "Ships carrying grain left the port through the corridor as grain exports rose.",
        "Harbour News",
    ),
    "зерно": (
        "uk",
        10,
        "Судна із зерном вийшли з порту коридором, експорт зерна зріс.",
        "Портові вісті",
    ),
    "strike": (
        "en",
        8,
        "Dockers at the port began a strike and ships waited at the port.",
        "Harbour News",
    ),
    "budget": ("en", 12, "The council debated the budget for the schools.", "City Herald"),
    "бюджет": ("uk", 8, "Рада обговорила бюджет міста на наступний рік.", "Міські новини"),
}


def _date(rng: random.Random) -> str:
    return f"{rng.choice((2021, 2022, 2023))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def coverage_records() -> list[dict]:
    rng = random.Random(22)
    records = []
    for topic, (language, count, sentence, source) in TOPICS.items():
        neutral = NEUTRAL_EN if language == "en" else NEUTRAL_UK
        for i in range(count):
            filler = " ".join(rng.choice(neutral) for _ in range(60))
            records.append(
                {
                    "id": f"{topic}-{i}",
                    "title": f"{sentence.split(' ', 3)[-1][:40]} {i}",
                    "body": f"{sentence} {filler}.",
                    "language": language,
                    "published": _date(rng),
                    "source": source if i % 3 else f"{source} Weekly",
                    "tags": [topic],
                }
            )
    story = (
        "Grain ships wait at the corridor while the harbour master counts the cargo. "
        + " ".join(rng.choice(NEUTRAL_EN) for _ in range(120))
    )
    for i, (day, source) in enumerate(
        (("2022-03-30", "Wire"), ("2022-03-31", "Harbour News"), ("2022-04-02", "City Herald"))
    ):
        records.append(
            {
                "id": f"reprint-{i}",
                "title": f"Grain ships wait ({source})",
                "body": story,
                "language": "en",
                "published": day,
                "source": source,
                "tags": ["grain"],
            }
        )
    records.append(
        {
            "id": "undated-grain",
            "title": "Grain of an unknown day",
            "body": "Grain was loaded at the port. "
            + " ".join(rng.choice(NEUTRAL_EN) for _ in range(60)),
            "language": "en",
            "source": "Harbour News",
        }
    )
    return records


def import_coverage_archive(home: Path, folder: Path) -> Path:
    data = write_jsonl(folder / "coverage.jsonl", coverage_records())
    done = run_arkhiv(home, "import", "--no-progress", str(data))
    assert done.returncode == 0, done.stderr
    return home
