"""Words that say nothing about what a scene shows, per language.

English is our own list: the usual ones, vague words ("thing", "part"), and past
tenses that are also nouns ("levels rose" is no 🌹). stop-words' English list also
drops "computer", "fire" and "world", the very words a pictogram is for. Other
languages take the stop-words package's list.
"""

from __future__ import annotations

from functools import cache

from stop_words import StopWordError, get_stop_words  # type: ignore[import-untyped]

_ENGLISH = """
a about above across after afterwards again against ago all almost along already also
although always am among amongst an and another any anyone anything anyway anywhere are
around as at away back be became because become becomes becoming been before behind being
below beside besides between beyond both but by can cannot could did do does doing done
down during each either else enough especially etc even ever every everyone everything
everywhere except far few for from further get gets getting give given go goes going gone
got had has have having he her here hers herself him himself his how however i if in
indeed instead into is it its itself just keep kept least less let like likely made make
makes making many may maybe me meanwhile might mine more moreover most mostly much must my
myself near nearly neither never nevertheless next no nobody none nor not nothing now
nowhere of off often on once one only onto or other others otherwise our ours ourselves
out over own per perhaps please put quite rather really s same say says said see seem
seemed seems several shall she should since so some somehow someone something sometimes
somewhere soon still such than that the their theirs them themselves then there thereby
therefore these they thing things this those though through throughout thus to together
too toward towards under unless until up upon us use used uses using very via was way ways
we well were what whatever when whenever where whereas wherever whether which while who
whoever whole whom whose why will with within without would yes yet you your yours
yourself yourselves
ll re ve d t m don doesn didn isn aren wasn weren won wouldn couldn shouldn
lot lots kind sort part example fact case bit something called call also
two three four five six seven eight nine ten hundred thousand million billion trillion
first second third last new old big small good bad great little high low long short
able across actually almost around become called certain clear different early easy
else every final full hard large late main often possible real right simply sure
take takes taking took come comes came coming know known knows want wants need needs
mean means meant show shows shown find finds found look looks looking tell tells
rose fell left saw felt lay wound bore
""".split()


@cache
def stopwords(language: str) -> frozenset[str]:
    """The stopwords of ``language`` (lower case); none for a language stop-words lacks."""
    if language == "en":
        return frozenset(_ENGLISH)
    try:
        return frozenset(word.lower() for word in get_stop_words(language))
    except StopWordError:
        return frozenset()
