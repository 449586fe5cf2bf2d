"""Synthetic archives recombined from the real corpus, for benchmarks.

Each synthetic article takes a real title and 3-8 real paragraphs of one language, so the text has
real Ukrainian morphology and real English; the metadata (dates, authors, sources, tags, translation
pairs) is drawn from skewed pools so facets look like a real newsroom's: a few busy authors and
outlets, a long tail, more articles in recent years. Deterministic for a given seed; streams, so
a million articles need no more memory than ten.

    python -m bench.corpus 30000 $ARKHIV_BENCH_DATA/30k.jsonl [--seed 0] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")
FIRST_YEAR, LAST_YEAR = 2004, 2025
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“A-ZА-ЯІЇЄҐ0-9])")


class CorpusMissing(Exception):
    """The real corpus is not where we looked."""


def default_corpus_dir() -> Path:
    """`$ARKHIV_CORPUS`, else `../shared/corpus` beside the repository."""
    if env := os.environ.get("ARKHIV_CORPUS"):
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


# Pools. English bylines are built from fixed name lists (the corpus's BBC articles have none);
# Ukrainian bylines are BRUK's real authors. Sources and tags mix the corpus's own with others.


def _listed(text: str) -> list[str]:
    """Items of a comma-separated list written across lines."""
    return [item.strip() for item in text.split(",") if item.strip()]


EN_FIRST = _listed("""
    James, Sarah, Michael, Emma, David, Olivia, Daniel, Laura, Thomas, Helen, Mark, Anna, Peter,
    Kate, Richard, Julia, Andrew, Rachel, Simon, Claire, Olena, Oleksii, Iryna, Taras, Sofiia,
    Mykola, Yuliia, Andrii, Oksana, Dmytro, Kateryna, Serhii, Nataliia, Roman, Viktoriia, Bohdan,
    Hanna, Maksym, Tetiana, Yaroslav""")
EN_LAST = _listed("""
    Smith, Carter, Johnson, Brown, Wilson, Taylor, Evans, Walker, Wright, Green, Hall, Clarke,
    Hughes, Ellison, Park, Murphy, Foster, Reid, Kovalenko, Bondarenko, Shevchenko, Tkachenko,
    Kravchenko, Melnyk, Lysenko, Savchuk, Rudenko, Marchenko, Hrytsenko, Boiko, Moroz, Pavlenko,
    Levchenko, Kharchenko, Zinchenko, Petrenko, Ponomarenko, Kovalchuk, Tkachuk, Polishchuk""")
EN_AUTHOR_COUNT = 200

EN_SOURCES = [
    "BBC News",
    "Kyiv Independent",
    "Ukrainska Pravda",
    "Kyiv Post",
    "Reuters",
    "Associated Press",
    "The Guardian",
    "Hromadske",
    "Ukrinform",
    "Euromaidan Press",
    "New Voice of Ukraine",
    "Financial Times",
    "Ekonomichna Pravda",
    "Suspilne",
    "Radio Liberty",
]
UK_SOURCES_EXTRA = [
    "Наші гроші",
    "Українська правда",
    "Громадське",
    "Суспільне",
    "Економічна правда",
    "Укрінформ",
    "Дзеркало тижня",
    "Радіо Свобода",
    "НВ",
    "ТСН",
]
UK_SOURCES_FROM_CORPUS = 15  # the busiest BRUK outlets (includes «Є»)

EN_TAGS = _listed("""
    business, entertainment, politics, sport, tech, economy, government, elections, parliament,
    taxes, budget, inflation, banking, energy, gas, electricity, oil, nuclear, power, climate,
    environment, agriculture, grain, exports, imports, trade, industry, steel, transport,
    railways, aviation, shipping, ports, roads, cars, technology, mobile phones, internet,
    broadband, cybersecurity, startups, software, science, space, health, hospitals, medicine,
    vaccines, education, schools, universities, culture, music, film, television, theatre, books,
    art, history, museums, religion, football, tennis, boxing, athletics, olympics, cricket,
    rugby, formula one, chess, security, defence, military, NATO, EU, United Nations, diplomacy,
    sanctions, war, Russo-Ukrainian war, refugees, displaced people, human rights, courts,
    corruption, police, crime, justice, media, press freedom, journalism, social media, housing,
    property, pensions, wages, employment, unemployment, labour, strikes, migration, tourism,
    travel, food prices, consumer, retail, small business, markets, stocks, currency,
    central bank, interest rates, debt, investment, privatisation, reforms, decentralisation,
    local government, Kyiv, Kharkiv, Lviv, Odesa, Dnipro, Donbas, Crimea, Europe, Russia,
    United States, Poland, Germany, France, Britain, China, weather, floods, fire,
    security guarantees, peace talks, reconstruction, demining, veterans, volunteers, Zaporizhzhia,
    Kherson, Mykolaiv, Sumy, Chernihiv, Poltava, Vinnytsia, Black Sea, drones, air defence,
    mobilisation, prisoners of war, evacuation, shelling, blackouts, heating, water supply,
    procurement, tenders, anti-corruption, investigations, elections 2019, public health,
    pandemic, COVID-19, lockdown, children, students, pensioners, IT, gaming, smartphones,
    telecoms, broadcasting, celebrities, awards, festivals, premier league, champions league""")
UK_TAGS = _listed("""
    економіка, політика, уряд, вибори, парламент, податки, бюджет, інфляція, банки, енергетика,
    газ, електроенергія, клімат, довкілля, сільське господарство, зерно, експорт, імпорт,
    торгівля, промисловість, транспорт, залізниця, дороги, технології, мобільний звʼязок,
    інтернет, кібербезпека, наука, медицина, охорона здоровʼя, лікарні, вакцинація, освіта, школи,
    університети, культура, музика, кіно, театр, книжки, мистецтво, історія, музеї, релігія,
    футбол, спорт, олімпіада, безпека, оборона, армія, НАТО, ЄС, санкції, війна,
    російсько-українська війна, біженці, переселенці, права людини, суди, корупція, поліція,
    злочинність, медіа, журналістика, соцмережі, житло, пенсії, зарплати, зайнятість, безробіття,
    міграція, туризм, ціни, малий бізнес, інвестиції, реформи, децентралізація,
    місцеве самоврядування, громади, Київ, Харків, Львів, Одеса, Дніпро, Полтава, Вінниця, Рівне,
    Житомир, Суми, Тернопіль, Чернігів, Херсон, Запоріжжя, Донбас, Крим, Європа, Росія, США,
    Польща, гарантії безпеки, мирні переговори, відбудова, розмінування, ветерани, волонтери,
    екологія, вода, опалення, комунальні послуги, ремонт доріг, закупівлі, тендери, прозорість,
    аграрії, молодь, діти, пенсіонери, родина""")


@dataclass(frozen=True)
class LanguagePool:
    """What one language contributes: real titles and paragraphs, plus metadata pools."""

    titles: list[str]
    paragraphs: list[str]
    authors: list[str]
    sources: list[str]
    tags: list[str]


class Zipf:
    """Draws items with weight 1/rank**s: a few very common, a long tail."""

    def __init__(self, items: Sequence[str], s: float = 1.0) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, len(items) + 1)))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]

    def draw_distinct(self, rng: random.Random, k: int) -> list[str]:
        picked: list[str] = []
        for _ in range(k * 4):
            if len(picked) == k:
                break
            item = self.draw(rng)
            if item not in picked:
                picked.append(item)
        return picked


def _paragraphs(body: str) -> list[str]:
    parts = [p.strip() for p in body.split("\n\n") if p.strip()]
    if len(parts) == 1:
        # One long block: cut it into paragraphs of three sentences.
        sentences = SENTENCE_END.split(parts[0])
        parts = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return [p for p in parts if len(p) >= 40]


def load_pools(corpus_dir: Path | None = None) -> dict[str, LanguagePool]:
    """Read the real corpus into per-language pools of titles, paragraphs and metadata."""
    corpus_dir = corpus_dir or default_corpus_dir()
    files = sorted(corpus_dir.glob("*.jsonl")) if corpus_dir.is_dir() else []
    if not files:
        raise CorpusMissing(
            f"no corpus found: {corpus_dir} has no *.jsonl files "
            "(give the folder with --corpus or set ARKHIV_CORPUS)"
        )
    titles: dict[str, list[str]] = {"uk": [], "en": []}
    paragraphs: dict[str, list[str]] = {"uk": [], "en": []}
    uk_authors: Counter[str] = Counter()
    uk_sources: Counter[str] = Counter()
    corpus_tags: Counter[str] = Counter()
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                article = json.loads(line)
                language = article.get("language")
                if language not in titles:
                    continue
                titles[language].append(article["title"])
                paragraphs[language].extend(_paragraphs(article["body"]))
                if language == "uk":
                    uk_authors.update(article.get("authors") or [])
                    if article.get("source"):
                        uk_sources[article["source"]] += 1
                corpus_tags.update(article.get("tags") or [])
    if not paragraphs["uk"] or not paragraphs["en"]:
        raise CorpusMissing(f"{corpus_dir} needs articles in both uk and en")

    # Zipf ranks come from a shuffled order, so the busiest names are not just the corpus's first.
    order = random.Random(1)
    uk_names = sorted(uk_authors)
    order.shuffle(uk_names)
    en_names = [f"{first} {last}" for first in EN_FIRST for last in EN_LAST]
    order.shuffle(en_names)
    en_names = en_names[:EN_AUTHOR_COUNT]

    corpus_uk_sources = [s for s, _ in uk_sources.most_common(UK_SOURCES_FROM_CORPUS)]
    uk_source_pool = _unique([*corpus_uk_sources, *UK_SOURCES_EXTRA])

    en_tags = [t for t, _ in corpus_tags.most_common()] + EN_TAGS
    return {
        "uk": LanguagePool(
            titles["uk"], paragraphs["uk"], uk_names, uk_source_pool, _unique(UK_TAGS)
        ),
        "en": LanguagePool(titles["en"], paragraphs["en"], en_names, EN_SOURCES, _unique(en_tags)),
    }


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class _Newsroom:
    """Draws the metadata of one article at a time."""

    def __init__(self, pools: dict[str, LanguagePool], rng: random.Random) -> None:
        self.pools = pools
        self.rng = rng
        self.authors = {lang: Zipf(p.authors, 1.0) for lang, p in pools.items()}
        self.sources = {lang: Zipf(p.sources, 1.1) for lang, p in pools.items()}
        tag_order = {lang: list(p.tags) for lang, p in pools.items()}
        for lang in ("uk", "en"):
            random.Random(2).shuffle(tag_order[lang])
        self.tags = {lang: Zipf(tags, 0.9) for lang, tags in tag_order.items()}
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        # Recent years are busier: each year about 15% more articles than the one before.
        self.years = list(years)
        self.year_cum = list(itertools.accumulate(1.15 ** (y - FIRST_YEAR) for y in years))

    def published(self) -> str | None:
        rng = self.rng
        year = self.years[bisect.bisect(self.year_cum, rng.random() * self.year_cum[-1])]
        roll = rng.random()
        if roll < 0.02:
            return None  # undated, as in BBC and «Наші гроші»
        if roll < 0.05:
            return str(year)  # year only, as in BRUK
        day = datetime(year, 1, 1).toordinal() + rng.randrange(365)
        date = datetime.fromordinal(day)
        if roll < 0.08:
            return date.date().isoformat()
        # Newsroom hours: mostly 7:00-22:59 Kyiv time.
        hour = rng.choice((6, 7, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22))
        stamp = date.replace(hour=hour, minute=rng.randrange(60), tzinfo=KYIV)
        return stamp.isoformat()

    def article(self, number: int, language: str, id_prefix: str) -> dict:
        rng = self.rng
        pool = self.pools[language]
        paragraphs = [rng.choice(pool.paragraphs) for _ in range(rng.randint(3, 8))]
        n_authors = rng.choices((0, 1, 2, 3), weights=(25, 55, 15, 5))[0]
        n_tags = rng.choices((0, 1, 2, 3, 4), weights=(15, 30, 25, 20, 10))[0]
        article = {
            "id": f"{id_prefix}{number:07d}",
            "title": rng.choice(pool.titles),
            "body": "\n\n".join(paragraphs),
            "language": language,
            "published": self.published(),
            "authors": self.authors[language].draw_distinct(rng, n_authors),
            "tags": self.tags[language].draw_distinct(rng, n_tags),
            "source": self.sources[language].draw(rng),
        }
        if article["published"] is None:
            del article["published"]
        return article


def generate(
    n: int,
    seed: int = 0,
    *,
    corpus_dir: Path | None = None,
    uk_share: float = 0.3,
    translation_share: float = 0.04,
) -> Iterator[dict]:
    """Yield `n` synthetic articles recombined from the real corpus.

    About `uk_share` of them are Ukrainian; about `translation_share` come in uk/en pairs that
    share a `translation_key` (and a date). Raises CorpusMissing when the corpus is absent.
    """
    pools = load_pools(corpus_dir)  # now, not at the first next(): a missing corpus fails early
    return _recombine(n, seed, pools, uk_share, translation_share)


def _recombine(
    n: int, seed: int, pools: dict[str, LanguagePool], uk_share: float, translation_share: float
) -> Iterator[dict]:
    rng = random.Random(seed)
    newsroom = _Newsroom(pools, rng)
    prefix = f"bench-{seed}-"
    number = 0
    while number < n:
        language = "uk" if rng.random() < uk_share else "en"
        article = newsroom.article(number, language, prefix)
        number += 1
        if number < n and rng.random() < translation_share / 2:
            key = f"bench-{seed}-tk-{number:07d}"
            other = newsroom.article(number, "en" if language == "uk" else "uk", prefix)
            number += 1
            article["translation_key"] = other["translation_key"] = key
            if "published" in article:
                other["published"] = article["published"]
            else:
                other.pop("published", None)
            yield article
            yield other
        else:
            yield article


def write_jsonl(articles: Iterator[dict], out: TextIO) -> int:
    """Write articles one per line; return how many."""
    count = 0
    for article in articles:
        out.write(json.dumps(article, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus",
        description="Write N synthetic articles recombined from the real corpus as JSON Lines.",
    )
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", help="output .jsonl file, or - for stdout")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=None, help="folder of the real *.jsonl")
    parser.add_argument("--uk-share", type=float, default=0.3, help="share of Ukrainian articles")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        articles = generate(args.n, args.seed, corpus_dir=args.corpus, uk_share=args.uk_share)
    except CorpusMissing as error:
        print(f"bench.corpus: {error}", file=sys.stderr)
        return 2
    if args.out == "-":
        count = write_jsonl(articles, sys.stdout)
    else:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            count = write_jsonl(articles, f)
    elapsed = time.perf_counter() - started
    print(
        f"bench.corpus: {count} articles to {args.out} in {elapsed:.1f} s "
        f"({count / elapsed:,.0f} articles/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
