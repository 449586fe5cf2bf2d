"""Text analysis: Ukrainian lemmas, English stems, normalisation and names across scripts."""

import pytest

from index.text.analysis import (
    NormalizeFilter,
    analyze,
    arkhiv_analyzer,
    normalize_word,
    query_terms,
    tokenize,
    word_terms,
    word_tokenizer,
)
from index.text.transliteration import transliterate


def finds(query_word: str, text_word: str) -> bool:
    """A query of ``query_word`` matches ``text_word`` in a text."""
    return bool(set(query_terms(query_word)) & set(word_terms(text_word)))


def shares_term(a: str, b: str) -> bool:
    """Each word, searched for, finds the other in a text."""
    return finds(a, b) and finds(b, a)


def text_terms(text: str) -> set[str]:
    return {term for _, _, _, word in tokenize(text) for term in word_terms(word)}


def query_text_terms(text: str) -> set[str]:
    return {term for _, _, _, word in tokenize(text) for term in query_terms(word)}


@pytest.mark.parametrize("form", ["України", "Україні", "Україною", "Україну", "УКРАЇНИ"])
def test_country_name_in_every_case_meets_its_nominative(form):
    assert shares_term("Україна", form)


@pytest.mark.parametrize("phrase", ["гарантій безпеки", "гарантіями безпеки", "Гарантії безпеки"])
def test_inflected_phrases_share_terms_word_by_word(phrase):
    query = [set(word_terms(w)) for _, _, _, w in tokenize("гарантії безпеки")]
    found = [set(word_terms(w)) for _, _, _, w in tokenize(phrase)]
    assert all(q & f for q, f in zip(query, found, strict=True))


def test_english_plural_meets_singular():
    assert shares_term("guarantee", "guarantees")
    assert shares_term("Ukraine", "Ukraine's")


def test_every_apostrophe_is_one():
    variants = ["п'ять", "п’ять", "пʼять", "п`ять", "п‘ять"]
    assert {normalize_word(v) for v in variants} == {"п'ять"}
    assert len({word_terms(v) for v in variants}) == 1
    # The ASCII apostrophe is the one pymorphy3's dictionary knows: «сім’ї» gets a real lemma.
    assert word_terms("сім’ї")[0] == "сім'я"


def test_apostrophe_keeps_a_word_whole():
    assert [w for *_, w in tokenize("Знам’янка, об'єкт і пʼять")] == [
        "Знам’янка",
        "об'єкт",
        "і",
        "пʼять",
    ]


def test_latin_look_alike_inside_a_cyrillic_word():
    assert normalize_word("Kиїв") == "київ"  # Latin K
    assert word_terms("Kиїв") == word_terms("Київ")
    assert normalize_word("Kyiv") == "kyiv"
    # And the reverse: a Cyrillic о and с typed inside an English word.
    assert normalize_word("Bоrisоv") == "borisov"
    assert normalize_word("сlimate") == "climate"


def test_stress_marks_are_ignored():
    assert normalize_word("заві\u0301дувач") == "завідувач"
    assert word_terms("заві\u0301дувач") == word_terms("завідувач")
    assert [w for *_, w in tokenize("наш заві\u0301дувач")] == ["наш", "заві\u0301дувач"]
    # A precomposed stressed letter (ѝ = и + grave) and a decomposed й both come out plain.
    assert normalize_word("сѝла") == "сила"
    assert normalize_word("краи\u0306") == "край"


def test_g_with_upturn_is_folded_in_terms():
    assert shares_term("ґанок", "ганок")
    assert shares_term("Ґалаґан", "Галаган")


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Глущенко", "Hlushchenko"),
        ("Глущенка", "Hlushchenko"),
        ("Ольга", "Olha"),
        ("Ользі", "Olha"),
        ("Києва", "Kyiv"),
        ("Харкові", "Kharkiv"),
        ("Юрій", "Yurii"),
    ],
)
def test_names_meet_across_scripts(cyrillic, latin):
    assert shares_term(cyrillic, latin)


def test_a_name_and_its_transliteration_share_terms_both_ways():
    assert text_terms("Ольга Глущенко") & text_terms("Olha Hlushchenko") == {
        "olha",
        "hlushchenko",
    }


def test_only_capitalised_words_are_indexed_with_transliterations():
    # The transliteration as a name key (index.name_keys): y and j as i, a run of i's one i.
    assert word_terms("Києва") == ("київ", "kiv")
    assert word_terms("києва") == ("київ",)
    assert word_terms("уряду") == ("уряд",)
    assert "uriad" in word_terms("Уряду")  # a sentence-initial word: accepted
    assert word_terms("ГЛУЩЕНКО") == word_terms("Глущенко")


def test_latin_words_get_their_name_key_only_when_capitalised():
    assert word_terms("elections") == ("elect",)
    assert word_terms("Hlushchenko") == ("hlushchenko",)  # the stem is the word
    assert word_terms("Ukraine") == ("ukrain", "ukraine")
    assert word_terms("ukraine") == ("ukrain",)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("глущенко", "Глущенко"),
        ("глущенко", "Hlushchenko"),
        ("hlushchenko", "Глущенка"),
        ("hlushchenko", "Hlushchenko"),
        ("києва", "Kyiv"),
        ("kyiv", "Києві"),
        ("yurii", "Юрій"),
        ("ukraine", "Ukraine"),
    ],
)
def test_a_lowercase_query_finds_capitalised_names_in_either_script(typed, written):
    assert finds(typed, written)


def test_query_terms_are_the_index_terms_of_both_forms_primary_first():
    assert query_terms("глущенко")[0] == word_terms("глущенко")[0]
    assert set(query_terms("глущенко")) == set(word_terms("глущенко")) | set(word_terms("Глущенко"))
    assert query_terms("Києва") == word_terms("Києва")
    assert query_terms("2024") == ("2024",)


def test_short_function_words_are_not_transliterated():
    # ми -> "my", то -> "to": they would make English queries match every Ukrainian text.
    assert "my" not in word_terms("ми")
    assert "to" not in word_terms("то")


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("Коропчишин", ["Коропчишина", "Коропчишину", "Коропчишиним"]),
        ("Укргеоекологія", ["Укргеоекології", "Укргеоекологію"]),
        ("Дзюбчишин", ["Дзюбчишина", "Дзюбчишинові"]),
    ],
)
def test_words_missing_from_the_dictionary_meet_their_inflected_forms(lemma, forms):
    for form in forms:
        assert shares_term(lemma, form), form


def test_numbers_are_kept_as_they_are():
    assert word_terms("2024") == ("2024",)
    assert [w for *_, w in tokenize("COVID-19, 5G")] == ["COVID", "19", "5G"]


def test_a_word_with_several_lemmas_indexes_them_all_at_one_position():
    analyzer = arkhiv_analyzer()
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer("Вони стали героями", positions=True, chars=True)
    ]
    at_one = [t for t in tokens if t[1] == 1]
    assert {text for text, *_ in at_one} >= {"стати", "станути"}
    assert {(pos, start, end) for _, pos, start, end in at_one} == {(1, 5, 10)}
    assert max(pos for _, pos, _, _ in tokens) == 2


def test_positions_count_words_not_terms():
    text = "Ольга Глущенко стала лауреаткою. Olha Hlushchenko won."
    positions = [pos for pos, *_ in tokenize(text)]
    assert positions == list(range(7))
    analyzer_positions = {t.pos for t in arkhiv_analyzer()(text, positions=True)}
    assert analyzer_positions == set(positions)


SENTENCES = [
    "Президент України Володимир Зеленський обговорив гарантії безпеки з прем’єр-міністром "
    "Великої Британії у Києві 15 січня 2024 року.",
    "У Знам’янці «Укргеоекологія» отримала п'ять об’єктів; заві\u0301дувач відділу — Kиїв.",
    "Ukraine's president discussed security guarantees with Britain's prime minister in Kyiv.",
    "Hlushchenko said the 2004-2005 figures weren't final — «Наші гроші» disagreed.",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_analyzer_terms_are_the_query_terms_of_the_tokens(text):
    analyzer_terms = [t.text for t in arkhiv_analyzer()(text)]
    expected = [term for _, _, _, word in tokenize(text) for term in query_terms(word)]
    assert analyzer_terms == expected
    assert set(analyzer_terms) == query_text_terms(text)
    assert set(analyzer_terms) >= text_terms(text)


@pytest.mark.parametrize("text", SENTENCES)
def test_analyzer_offsets_point_at_the_word_as_written(text):
    words = {(pos, start, end): word for pos, start, end, word in tokenize(text)}
    for token in arkhiv_analyzer()(text, positions=True, chars=True):
        word = words[(token.pos, token.startchar, token.endchar)]
        assert text[token.startchar : token.endchar] == word
        assert token.text in query_terms(word)


def test_analyzer_continues_positions_and_offsets_of_a_previous_value():
    tokens = list(arkhiv_analyzer()("Київ", positions=True, chars=True, start_pos=7, start_char=20))
    assert {(t.pos, t.startchar, t.endchar) for t in tokens} == {(7, 20, 24)}


def test_normalize_filter_composes_with_the_tokenizer():
    analyzer = word_tokenizer() | NormalizeFilter()
    assert [t.text for t in analyzer("Заві\u0301дувач П’ЯТЬ Kиїв")] == [
        "завідувач",
        "п'ять",
        "київ",
    ]


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀🇺🇦", "—«»!?…", "' ’ ` -"])
def test_text_without_words_gives_nothing_and_no_error(text):
    assert list(tokenize(text)) == []
    assert [t.text for t in arkhiv_analyzer()(text)] == []
    assert analyze(text) == []


def test_analyze_reports_each_token_as_written_with_its_terms():
    result = analyze("Києва та Kyiv", language="uk")
    assert result == [
        {"token": "Києва", "terms": ["київ", "kiv"]},
        {"token": "та", "terms": list(word_terms("та"))},
        {"token": "Kyiv", "terms": ["kyiv", "kiv"]},
    ]
    assert analyze("Києва та Kyiv", language="en") == result


@pytest.mark.parametrize(
    ("ukrainian", "latin"),
    [
        ("Згорани", "Zghorany"),
        ("Розгон", "Rozghon"),
        ("Щербухи", "Shcherbukhy"),
        ("Юрій", "Yurii"),
        ("Олексій", "Oleksii"),
        ("Їжакевич", "Yizhakevych"),
        ("Короп’є", "Koropie"),
        ("Гайсин", "Haisyn"),
        ("Знам’янка", "Znamianka"),
        ("Київ", "Kyiv"),
        ("Харків", "Kharkiv"),
        ("Львів", "Lviv"),
        # More of the resolution's own examples.
        ("Алушта", "Alushta"),
        ("Єнакієве", "Yenakiieve"),
        ("Гаєвич", "Haievych"),
        ("Йосипівка", "Yosypivka"),
        ("Стрий", "Stryi"),
        ("Ющенко", "Yushchenko"),
        ("Костюк", "Kostiuk"),
        ("Яготин", "Yahotyn"),
        ("Ічня", "Ichnia"),
        ("Ґалаґан", "Galagan"),
        ("Рівне", "Rivne"),
        ("Осьмачка", "Osmachka"),
        ("Жашків", "Zhashkiv"),
        ("Біла Церква", "Bila Tserkva"),
        ("Закарпаття", "Zakarpattia"),
    ],
)
def test_official_transliteration_examples(ukrainian, latin):
    assert transliterate(ukrainian) == latin


def test_transliteration_keeps_other_text_and_capitals():
    assert transliterate("ЮНЕСКО і don’t, ‘Ялта’") == "YUNESKO i don’t, ‘Yalta’"
