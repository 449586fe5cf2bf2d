"""Words too common to say what a set of articles is about: function words of Ukrainian and
English (pronouns, prepositions, conjunctions, particles, auxiliaries), as index terms.

A significance measure already ranks them low against the whole archive; they are left out so
that a comparison between a mostly English and a mostly Ukrainian search does not list "the" and
«що» as what sets one apart from the other.
"""

from __future__ import annotations

from functools import cache

from index.text.analysis import word_terms


def _listed(text: str) -> list[str]:
    """The words of a list written across lines."""
    return text.split()


UKRAINIAN = _listed("""
і й та а але або чи що щоб як який яка яке які котрий де коли куди звідки поки доки бо тому
адже якщо хоча хоч ніж мов наче ніби також теж ще вже лише тільки навіть саме аж же ж би б
не ні ось от це цей ця ці той та те ті такий така таке такі свій своя своє свої мій твій наш
ваш їхній його її їх він вона воно вони я ти ми ви мене тебе нас вас нам вам їм йому їй ним
нею ними собі себе сам сама самі весь вся все всі усі кожен кожний інший інша інші хто ніхто
щось ніщо дещо хтось будь в у на з із зі до від по про під над між перед через за без для при
біля після крізь серед протягом щодо є був була було були буде будуть бути може можна треба
дуже так тут там тоді тепер зараз більш більше менше найбільше понад близько майже ще раз
""")

ENGLISH = _listed("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves also may might must
shall upon its one
""")


@cache
def stop_terms() -> frozenset[str]:
    """The primary index term of each stop word (what a word of a text is counted by)."""
    terms = set()
    for word in UKRAINIAN + ENGLISH:
        found = word_terms(word)
        if found:
            terms.add(found[0])
    return frozenset(terms)
