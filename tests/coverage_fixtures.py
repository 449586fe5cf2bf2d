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

# topic: (language, articles, forms of the topic word, sentences each article may hold, source).
# Every article holds the topic word among neutral ones; each other sentence, by chance.
TOPICS = {
    "grain": (
        "en",
        14,
        ("grain",),
        (
            "Ships carrying cargo left the port through the corridor.",
            "The exports rose again and the corridor stayed open.",
            "Insurers watched the corridor and the exports closely.",
        ),
        "Coast Times",
    ),
    "зерно": (
        "uk",
        10,
        ("зерно", "зерна", "зерном"),
        (
            "Великі кораблі вийшли з порту коридором.",
            "Експорт знову зріс, і коридор працював.",
            "Страховики стежили за коридором та експортом.",
        ),
        "Вісті узбережжя",
    ),
    "strike": (
        "en",
        8,
        ("strike",),
        ("The dockers at the port stopped work.", "Dockers marched along the port."),
        "Coast Times",
    ),
    "budget": ("en", 12, ("budget",), ("The council debated the schools.",), "City Herald"),
    "бюджет": ("uk", 8, ("бюджет",), ("Рада обговорила витрати міста.",), "Міські новини"),
}


def _date(rng: random.Random) -> str:
    return f"{rng.choice((2021, 2022, 2023))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def coverage_records() -> list[dict]:
    rng = random.Random(22)
    records = []
    for topic, (language, count, forms, sentences, source) in TOPICS.items():
        neutral = NEUTRAL_EN if language == "en" else NEUTRAL_UK
        for i in range(count):
            words = [rng.choice(neutral) for _ in range(60)]
            words.insert(rng.randint(1, 59), rng.choice(forms))
            held = [sentence for sentence in sentences if rng.random() < 0.7]
            records.append(
                {
                    "id": f"{topic}-{i}",
                    "title": f"{rng.choice(neutral)} {i}",
                    "body": " ".join(held + [" ".join(words) + "."]),
                    "language": language,
                    "published": _date(rng),
                    "source": source if i % 3 else f"{source} Weekly",
                    "tags": [topic],
                }
            )
    story = (
        "Grain ships wait in the corridor while the harbour master counts the cargo. "
        + " ".join(rng.choice(NEUTRAL_EN) for _ in range(120))
    )
    for i, (day, source) in enumerate(
        (("2022-03-30", "Wire"), ("2022-03-31", "Coast Times"), ("2022-04-02", "City Herald"))
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
            "source": "Coast Times",
        }
    )
    return records


def import_coverage_archive(home: Path, folder: Path) -> Path:
    data = write_jsonl(folder / "coverage.jsonl", coverage_records())
    done = run_arkhiv(home, "import", "--no-progress", str(data))
    assert done.returncode == 0, done.stderr
    return home
