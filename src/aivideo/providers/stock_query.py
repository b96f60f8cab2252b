"""What to search a stock library for, for one scene.

A script writer gives each scene keywords chosen for filming; a user's own
text has none, so the scene's words stand in: stop words dropped, the few
most telling words kept. Each scene gets a specific query and a broader one,
tried in that order: stock libraries often find nothing for three words
together that they find plenty for one of them.
"""

from __future__ import annotations

import re
from collections import Counter

from aivideo.core.script import Scene

MAX_QUERY_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{3,}")  # letters only, at least three of them

# Words that say nothing filmable: articles, pronouns, auxiliaries, connectives and
# the vague verbs and adverbs of narration.
STOP_WORDS = frozenset(
    """
    about above after again against all almost also although always among and another any
    anyone anything are aren around because been before being below between both but can
    cannot could couldn did didn does doesn doing don done down during each either else
    enough even ever every everyone everything few first for from further get gets getting
    got had hadn has hasn have haven having her here hers herself him himself his how however
    into isn its itself just keep kept know last least less let like made make makes many
    may maybe might more most much must myself near need never next nor not nothing now off
    often once one only onto other others our ours ourselves out over own per perhaps put
    quite rather really said same say says see seem seems several shall she should shouldn
    since some someone something sometimes soon still such take takes than that the their
    theirs them themselves then there these they thing things think this those though three
    through thus till today together too toward towards two under until upon use used using
    very via was wasn way ways well were weren what whatever when where whether which while
    who whole whom whose why will with within without won would wouldn yet you your yours
    yourself yourselves
    """.split()
)


def search_queries(scene: Scene) -> list[str]:
    """Queries for ``scene``, most specific first; empty when nothing in it can be searched."""
    if scene.keywords:
        words = scene.keywords[:2]
    else:
        words = _telling_words(" ".join(scene.sentences))
    if not words:
        return []
    return list(dict.fromkeys([" ".join(words), words[0]]))


def _telling_words(text: str) -> list[str]:
    """The few words that say most about ``text``, the most telling first.

    Repeated words are what a passage is about; among words said as often,
    longer ones tend to be the specific nouns ("volcano" over "hot").
    """
    words = [word.lower() for word in _WORD.findall(text)]
    words = [word for word in words if word not in STOP_WORDS]
    counts = Counter(words)
    first_seen = {word: index for index, word in reversed(list(enumerate(words)))}
    ranked = sorted(counts, key=lambda word: (-counts[word], -len(word), first_seen[word]))
    return ranked[:MAX_QUERY_WORDS]
