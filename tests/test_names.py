"""Every spelling of a name or a place finds the same articles: name keys, romanisation tables,
the place and person files, highlighting, `arkhiv analyze`, and the analyser's version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.searching.highlight import mark
from index.searching.request import request_from_mapping
from index.segments.layout import current_build
from index.text.analysis import ANALYSER_VERSION, query_terms, word_terms
from index.text.name_files import names, older_words
from index.text.name_keys import latin_key, transliteration_key
from index.text.romanisation import bgn_pcgn, iso9, press, scholarly, spellings
from index.text.transliteration import transliterate
from tests.conftest import run_arkhiv, write_jsonl

# One article per spelling: each group is one name, written a different way in each article.
GROUPS: dict[str, list[tuple[str, str]]] = {
    "kyiv": [
        ("en", "Air raid alert in Kiev overnight"),
        ("en", "Kyiv's metro stations became shelters"),
        ("uk", "У Києві знову вимкнули світло"),
        ("uk", "Київ готується до зими"),
    ],
    "zelenskyi": [
        ("en", "President Zelensky addressed parliament"),
        ("en", "Zelenskyy met the delegation"),
        ("en", "A statement from Zelenskiy's office"),
        ("en", "Volodymyr Zelenskyi signed the law"),
        ("uk", "Зеленський підписав закон"),
        ("uk", "Заява офісу Зеленського"),
    ],
    "tymoshenko": [
        ("en", "Timoshenko returned to politics"),
        ("en", "Tymoshenko's party gained seats"),
        ("uk", "Тимошенко виступила у раді"),
    ],
    "odesa": [
        ("en", "The port of Odessa reopened"),
        ("en", "Odesa hosts a film festival"),
        ("uk", "В Одесі відкрили порт"),
    ],
    "chornobyl": [
        ("en", "Chernobyl anniversary marked"),
        ("en", "Tours to Chornobyl resume"),
        ("uk", "Чорнобиль: сорок років потому"),
    ],
    "kharkiv": [
        ("en", "Tram lines in Kharkov repaired"),
        ("en", "Kharkiv university reopens"),
        ("uk", "У Харкові відновили трамвай"),
    ],
    "lviv": [
        ("en", "Coffee houses of Lvov"),
        ("en", "Lviv railway station busy"),
        ("uk", "Львів приймає переселенців"),
    ],
    "mykolaiv": [
        ("en", "Shipyards of Nikolaev"),
        ("en", "Water supply restored in Mykolaiv"),
        ("uk", "Миколаїв без води"),
    ],
    "zaporizhzhia": [
        ("en", "Power plant near Zaporozhye"),
        ("en", "Zaporizhzhia nuclear plant inspected"),
        ("uk", "Запоріжжя під обстрілом"),
    ],
    "dnipro": [
        ("en", "Bridges over the Dnepr"),
        ("en", "Dnipro hospital expands"),
        ("uk", "Дніпро приймає евакуйованих"),
    ],
    "kryvyi-rih": [
        ("en", "Mines of Krivoy Rog"),
        ("en", "Steelworks in Kryvyi Rih"),
        ("uk", "Кривий Ріг отримав нові тролейбуси"),
    ],
    "other": [
        ("en", "A new keyboard layout for typists"),
        ("en", "The mayor opened the park"),
    ],
}

SPELLINGS: dict[str, list[str]] = {
    "kyiv": ["Kiev", "Kyiv", "Київ", "Києві", "Києва", "kiev", "kyiv", "київ"],
    "zelenskyi": ["Zelensky", "Zelenskyy", "Zelenskyi", "Zelenskiy", "Зеленський", "zelensky"],
    "tymoshenko": ["Timoshenko", "Tymoshenko", "Тимошенко"],
    "odesa": ["Odessa", "Odesa", "Одеса"],
    "chornobyl": ["Chernobyl", "Chornobyl", "Чорнобиль"],
    "kharkiv": ["Kharkov", "Kharkiv", "Харків"],
    "lviv": ["Lvov", "Lviv", "Львів"],
    "mykolaiv": ["Nikolaev", "Mykolaiv"],
    "zaporizhzhia": ["Zaporozhye", "Zaporizhzhia", "Запоріжжя"],
    "dnipro": ["Dnepr", "Dnipro", "Дніпро"],
    "kryvyi-rih": ['"Krivoy Rog"', '"Kryvyi Rih"', '"Кривий Ріг"'],
}


def records() -> list[dict]:
    return [
        {"id": f"{group}-{n}", "title": title, "body": title, "language": language}
        for group, articles in GROUPS.items()
        for n, (language, title) in enumerate(articles)
    ]


@pytest.fixture(scope="module")
def names_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("names") / "home"
    source = write_jsonl(home.parent / "names.jsonl", records())
    result = run_arkhiv(home, "import", "--no-progress", str(source))
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture(scope="module")
def names_index(names_home: Path):
    from archive.store import Store
    from index.searching.search import SearchIndex

    index = SearchIndex(names_home / "index", Store(names_home / "archive.sqlite3"))
    yield index
    index.close()


def found(index, q: str) -> set[str]:
    answer = index.search(request_from_mapping({"q": q, "per_page": 100, "collapse": "0"}))
    return {hit["id"] for hit in answer["hits"]}


@pytest.mark.parametrize(
    ("group", "spelling"), [(g, s) for g, spellings in SPELLINGS.items() for s in spellings]
)
def test_every_spelling_finds_every_article_of_the_name(names_index, group, spelling):
    expected = {f"{group}-{n}" for n in range(len(GROUPS[group]))}
    assert found(names_index, spelling) == expected


def test_english_words_are_not_merged_with_names(names_index):
    assert found(names_index, "keyboard") == {"other-0"}
    assert found(names_index, "Kiev") & {"other-0", "other-1"} == set()
    assert found(names_index, "mayor") == {"other-1"}


def test_highlighting_marks_the_cyrillic_name_for_a_latin_spelling(names_index):
    answer = names_index.search(request_from_mapping({"q": "Kiev", "collapse": "0"}))
    snippets = {hit["id"]: hit["snippet"] for hit in answer["hits"]}
    assert "<mark>Києві</mark>" in snippets["kyiv-2"]
    assert "<mark>Kyiv&#x27;s</mark>" in snippets["kyiv-1"]
    terms = set(query_terms("Zelensky"))
    assert mark("Заява офісу Зеленського, Zelenskyy", terms) == (
        "Заява офісу <mark>Зеленського</mark>, <mark>Zelenskyy</mark>"
    )
    assert mark("A keyboard in Kyiv", set(query_terms("Kiev"))) == "A keyboard in <mark>Kyiv</mark>"


def test_a_query_word_reads_at_most_one_more_posting_list():
    # A Russian-based spelling is indexed as the national one (index.russian): Kiev as Kyiv.
    assert query_terms("kiev") == ("kiev", "kyiv", "kiv")
    assert query_terms("odesa") == ("odesa",)  # the key is the word itself: nothing more
    assert query_terms("Zelensky") == ("zelenski",)  # the key is the stem
    for word in ("guarantees", "elections", "kremlin", "zelenskyy", "kharkov", "keyboard"):
        assert len(query_terms(word)) <= len(word_terms(word)) + 1, word


def test_capitalised_words_get_no_more_terms_than_before():
    # The key replaces what was indexed before: the lowercase form of a capitalised Latin word,
    # the 2010 transliteration of a Cyrillic lemma.
    assert word_terms("Kyiv") == ("kyiv", "kiv")
    assert word_terms("Ukraine") == ("ukrain", "ukraine")
    assert word_terms("Зеленського") == ("зеленський", "zelenski")
    assert word_terms("My") == ("my",)  # no key shorter than three letters
    assert "mi" not in word_terms("Мій")


# The examples of the 2010 resolution (Cabinet of Ministers of Ukraine No. 55, 27 January 2010).
RESOLUTION_2010 = {
    "Згурський": "Zghurskyi",
    "Розгон": "Rozghon",
    "Їжакевич": "Yizhakevych",
    "Кадиївка": "Kadyivka",
    "Знам'янка": "Znamianka",
    "Рожище": "Rozhyshche",
    "Гоща": "Hoshcha",
    "Єнакієве": "Yenakiieve",
    "Гаєвич": "Haievych",
    "Короп'є": "Koropie",
    "Йосипівка": "Yosypivka",
    "Стрий": "Stryi",
    "Олексій": "Oleksii",
    "Юрій": "Yurii",
    "Корюківка": "Koriukivka",
    "Яготин": "Yahotyn",
    "Костянтин": "Kostiantyn",
    "Феодосія": "Feodosiia",
    "Ґалаґан": "Galagan",
    "Щербухи": "Shcherbukhy",
    "Біла Церква": "Bila Tserkva",
}


# Spellings whose key is not the official one's: the plain letters cannot tell the system. ISO 9
# g is г only in a word with ISO 9 marks (Rozgon has none); a scholarly j is й only where no
# English word has a j (not at the start: Jahotyn, Josypivka, but John, James); c is ц only in
# a word the marks tell (not in Cerkva: Cat, Cell).
KNOWN_MISSES = {
    ("iso9", "Розгон"),
    ("scholarly", "Йосипівка"),
    ("scholarly", "Яготин"),
    ("scholarly", "Біла Церква"),
    ("iso9", "Біла Церква"),
}


@pytest.mark.parametrize(("ukrainian", "official"), RESOLUTION_2010.items())
def test_the_resolutions_examples_and_their_keys(ukrainian, official):
    assert transliterate(ukrainian) == official
    for word in ukrainian.split():
        key = transliteration_key(transliterate(word))
        for system, spelled in spellings(word).items():
            if system == "press" or (system, ukrainian) in KNOWN_MISSES:
                continue
            assert latin_key(spelled) == key, (system, spelled)


@pytest.mark.parametrize(
    ("system", "ukrainian", "expected"),
    [
        # BGN/PCGN 1965, the PCGN's own examples.
        (bgn_pcgn, "Київ", "Kyyiv"),
        (bgn_pcgn, "Львів", "L’viv"),
        (bgn_pcgn, "Ізмаїл", "Izmayil"),
        (bgn_pcgn, "Запоріжжя", "Zaporizhzhya"),
        (bgn_pcgn, "Хмельницький", "Khmel’nyts’kyy"),
        # ISO 9:1995.
        (iso9, "Київ", "Kiïv"),
        (iso9, "Щука", "Ŝuka"),
        (iso9, "Житомир", "Žitomir"),
        (iso9, "Харків", "Harkìv"),
        # Scholarly.
        (scholarly, "Київ", "Kyjiv"),
        (scholarly, "Житомир", "Žytomyr"),
        (scholarly, "Щука", "Ščuka"),
        # The press's Russian-based spelling of a Ukrainian name.
        (press, "Зеленський", "Zelensky"),
        (press, "Тимошенко", "Timoshenko"),
        (press, "Янукович", "Yanukovich"),
    ],
)
def test_romanisation_tables(system, ukrainian, expected):
    assert system(ukrainian) == expected
    assert latin_key(expected) == transliteration_key(transliterate(ukrainian))


def test_most_names_of_the_files_meet_their_key_in_every_system():
    words = {w for name in names() for w in name.ukrainian.replace("-", " ").split()}
    for system in ("national_2010", "bgn_pcgn_1965"):
        missed = [w for w in words if not _meets(w, system)]
        assert missed == [], system
    for system in ("scholarly", "iso9", "press"):
        missed = [w for w in words if not _meets(w, system)]
        assert len(missed) <= len(words) // 10, (system, missed)


def _meets(word: str, system: str) -> bool:
    return latin_key(spellings(word)[system]) == transliteration_key(transliterate(word))


def test_the_place_file_holds_every_oblast_centre_spelled_officially():
    rows = names()
    centres = [row for row in rows if row.kind in ("oblast centre", "capital")]
    assert len(centres) >= 25
    for row in rows:
        assert transliterate(row.ukrainian) == row.official, row
    assert older_words()["kiev"] == "kyiv"
    assert older_words()["krivoy"] == "kryvyi" and older_words()["rog"] == "rih"
    assert older_words()["dnepropetrovsk"] == "dnipro"


def test_arkhiv_analyze_shows_the_variants(tmp_path):
    result = run_arkhiv(tmp_path / "home", "analyze", "Kiev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Kiev\tkyiv kiv"
    for line in ("name key: kiv", "official (2010): Kyiv", "Ukrainian: Київ", "iso9: Kiïv"):
        assert f"  {line}" in result.stdout.splitlines()
    result = run_arkhiv(tmp_path / "home", "analyze", "--json", "Kiev у Києві")
    tokens = [json.loads(line) for line in result.stdout.splitlines()]
    assert tokens[0]["name"]["official"] == "Kyiv"
    assert tokens[0]["name"]["spellings"]["bgn_pcgn_1965"] == "Kyyiv"
    assert "name" not in tokens[1]
    assert tokens[2]["name"]["key"] == "kiv" and tokens[2]["name"]["ukrainian"] == "Київ"


def test_an_index_of_the_former_analyser_says_it_needs_a_reindex(tmp_path):
    from archive.store import Store
    from index.searching.search import SearchIndex

    home = tmp_path / "home"
    source = write_jsonl(tmp_path / "a.jsonl", records()[:4])
    assert run_arkhiv(home, "import", "--no-progress", str(source)).returncode == 0
    assert run_arkhiv(home, "check").returncode == 0
    state_path = current_build(home / "index") / "state.json"
    state = json.loads(state_path.read_text())
    assert state["analyser"] == ANALYSER_VERSION
    del state["analyser"]  # as an index written before the version was kept
    state_path.write_text(json.dumps(state))

    result = run_arkhiv(home, "check")
    assert result.returncode == 1
    assert "analyser version 1" in result.stderr and "arkhiv reindex" in result.stderr
    index = SearchIndex(home / "index", Store(home / "archive.sqlite3"))
    try:
        notices = index.search(request_from_mapping({"q": "Kiev"}))["notices"]
        assert [notice.code for notice in notices] == ["index.analyser_outdated"]
    finally:
        index.close()

    assert run_arkhiv(home, "reindex").returncode == 0
    assert run_arkhiv(home, "check").returncode == 0
