"""Our own table of the topic words of explainers and the pictogram each one means.

A word here wins over the emoji names: "water" is a droplet, not "water pistol";
"cycle" is the looping arrows, not a bicycle. Each row is an emoji, the label shown
under it, and the words (English lemmas, or a plural simplemma leaves alone) that
call it up. A word is in one row only. Rows in other languages are in
``topic_translations``: ``topic_pictograms(language)`` gives either.
"""

from __future__ import annotations

from functools import cache

from aivideo.pipeline.pictograms.topic_translations import TRANSLATIONS

_ROWS = [
    # Water and weather
    ("💧", "water", "water moisture humidity humid hydration"),
    ("💧", "droplet", "drop droplet raindrop condense condensation dew"),
    ("🌧️", "rain", "rain rainfall rainy shower precipitation monsoon"),
    ("☁️", "cloud", "cloud cloudy"),
    ("☀️", "sun", "sun sunlight sunshine sunny solar daylight"),
    ("🌡️", "heat", "heat hot warm warmth temperature thermometer climate"),
    ("🥶", "cold", "cold chilly freezing"),
    ("🧊", "ice", "ice glacier iceberg frozen freeze"),
    ("❄️", "snow", "snow snowfall snowflake winter"),
    ("🌨️", "hail", "hail sleet blizzard"),
    ("⛈️", "storm", "storm thunderstorm thunder hurricane"),
    ("🌩️", "lightning", "lightning"),
    ("🌬️", "wind", "wind windy breeze"),
    ("🌬️", "air", "air atmosphere breathe breath oxygen"),
    ("💨", "vapour", "vapour vapor steam evaporate evaporation transpiration"),
    ("💨", "smoke", "smoke exhaust emission"),
    ("🌦️", "weather", "weather forecast"),
    ("🌊", "ocean", "ocean sea wave marine tide coast"),
    ("🏞️", "river", "river stream lake valley"),
    ("⛰️", "mountain", "mountain hill peak"),
    ("🌋", "volcano", "volcano eruption lava"),
    ("🏜️", "desert", "desert drought"),
    ("🔄", "cycle", "cycle loop circulation repeat"),
    # Living things
    ("🌱", "plant", "plant seed seedling sprout crop grass agriculture farming"),
    ("🍃", "leaf", "leaf leaves foliage"),
    ("🌳", "tree", "tree forest wood woodland jungle"),
    ("🌸", "flower", "flower blossom bloom"),
    ("🐾", "animal", "animal wildlife creature species pet"),
    ("🦠", "germ", "germ virus bacteria bacterium microbe infection disease"),
    ("🧬", "DNA", "dna gene genetic genome evolution"),
    ("🧠", "brain", "brain mind memory thinking neuron"),
    # The Earth and space
    ("🌍", "earth", "earth world planet global globe"),
    ("🗺️", "map", "map country geography continent"),
    ("🌌", "space", "space universe galaxy cosmos"),
    ("🚀", "rocket", "rocket launch spacecraft spaceship"),
    ("⭐", "star", "star stars"),
    ("🌙", "moon", "moon lunar"),
    ("🛰️", "satellite", "satellite orbit"),
    ("🔭", "telescope", "telescope astronomy astronomer"),
    # Science and technology
    ("🔬", "science", "science scientist research biology microscope cell"),
    ("🧪", "chemistry", "chemistry chemical experiment laboratory lab"),
    ("⚛️", "atom", "atom atomic physics molecule particle nuclear"),
    ("💻", "computer", "computer laptop software code coding program programming"),
    ("📱", "phone", "phone smartphone mobile app"),
    ("📊", "data", "data statistic statistics chart graph survey"),
    ("🌐", "internet", "internet web online network website"),
    ("🤖", "robot", "robot ai automation algorithm"),
    ("⚡", "energy", "energy electricity electric power voltage"),
    ("🔋", "battery", "battery charge"),
    ("⛽", "fuel", "fuel oil petrol gasoline diesel"),
    ("🔥", "fire", "fire flame burn wildfire"),
    ("⚙️", "machine", "machine engine mechanism gear"),
    ("🛠️", "tools", "tool repair fix engineering engineer"),
    ("🔍", "search", "search investigate investigation discover discovery clue"),
    ("💡", "light", "light lamp bulb"),
    ("💡", "idea", "idea insight innovation invention invent inspiration creativity"),
    ("🔢", "numbers", "number math mathematics calculation calculate arithmetic"),
    # Money and work
    ("💰", "money", "money cost price budget fund funding wealth profit tax"),
    ("💵", "cash", "cash dollar dollars salary wage income"),
    ("💳", "payment", "payment pay card credit"),
    ("🏦", "bank", "bank banking loan debt"),
    ("📈", "growth", "growth increase gain boom"),
    ("💹", "market", "market stock economy economic investor investment"),
    ("📉", "decline", "decline decrease shrinking loss recession"),
    ("💼", "work", "work job business career office employee"),
    ("🤝", "deal", "deal agreement partnership cooperation collaboration partner trade"),
    ("🏭", "industry", "industry factory manufacturing production industrial"),
    ("🛒", "shopping", "shopping shop consumer customer"),
    # Places and getting around
    ("🏙️", "city", "city town urban downtown skyline"),
    ("🏠", "house", "house home household housing"),
    ("🏢", "building", "building tower skyscraper"),
    ("🏫", "school", "school education classroom student pupil university college"),
    ("🏥", "hospital", "hospital clinic"),
    ("🚗", "car", "car vehicle traffic driving driver"),
    ("🚆", "train", "train railway rail"),
    ("✈️", "plane", "plane airplane aircraft flight airport"),
    ("🚢", "ship", "ship boat shipping port"),
    ("🚲", "bicycle", "bicycle bike cycling"),
    ("🧳", "travel", "travel trip journey tourism tourist"),
    # People and health
    ("👥", "people", "people team group community society population crowd audience"),
    ("🧑", "person", "person individual human"),
    ("👪", "family", "family parent parents"),
    ("🧒", "child", "child children kid kids"),
    ("🧑‍⚕️", "doctor", "doctor nurse physician medical"),
    ("💊", "medicine", "medicine drug pill treatment therapy"),
    ("💉", "vaccine", "vaccine vaccination injection"),
    ("🩺", "health", "health healthy healthcare"),
    ("❤️", "heart", "heart love"),
    ("😴", "sleep", "sleep asleep tired"),
    ("🚰", "drinking water", "drink drinking thirst thirsty"),
    ("🍽️", "food", "food meal eat eating diet nutrition"),
    ("🍎", "apple", "apple fruit"),
    ("🏃", "exercise", "exercise fitness running workout"),
    ("⚽", "sport", "sport sports football soccer"),
    # Learning, culture and talk
    ("📚", "learning", "learn learning study knowledge lesson"),
    ("📖", "book", "book novel reading library"),
    ("✍️", "writing", "write writing author"),
    ("🎵", "music", "music song melody musician"),
    ("🎨", "art", "art artist painting paint drawing"),
    ("🎬", "film", "film movie cinema video"),
    ("📷", "photo", "photo photograph camera photography"),
    ("🎮", "game", "game gaming"),
    ("📰", "news", "news newspaper journalism journalist"),
    ("💬", "conversation", "conversation talk speech chat discussion communication"),
    ("✉️", "message", "message email mail letter"),
    ("🏛️", "government", "government politics policy law parliament"),
    ("🗳️", "vote", "vote election voter democracy"),
    ("⚖️", "justice", "justice court judge fairness"),
    # Signs
    ("⏰", "time", "time clock hour minute deadline"),
    ("⏳", "waiting", "wait waiting duration patience"),
    ("📅", "calendar", "calendar date schedule month"),
    ("❓", "question", "question ask mystery puzzle"),
    ("⚠️", "warning", "warning danger dangerous risk hazard caution threat"),
    ("✅", "done", "check done success solution"),
    ("❌", "mistake", "mistake error wrong failure fail"),
    ("🎯", "goal", "goal target aim objective"),
    ("🏆", "victory", "victory win winner champion trophy award"),
    ("🔒", "security", "security safety secure privacy password lock"),
    ("♻️", "recycling", "recycling recycle recycled reuse"),
    ("🗑️", "waste", "waste trash garbage rubbish litter pollution plastic"),
]


def _table(rows: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for emoji, label, words in rows:
        for word in words.split():
            if word in table:
                raise ValueError(f"topic word {word!r} is in two rows")
            table[word] = (emoji, label)
    return table


def _labels(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for emoji, label, _ in rows:
        labels.setdefault(emoji, label)
    return labels


def _translated_rows(language: str) -> list[tuple[str, str, str]]:
    """``language``'s rows, in the English table's order; its first word is the label."""
    words = TRANSLATIONS.get(language, {})
    return [
        (emoji, words[label].split()[0], words[label])
        for emoji, label, _ in _ROWS
        if label in words
    ]


# word -> (emoji, label)
TOPIC_PICTOGRAMS: dict[str, tuple[str, str]] = _table(_ROWS)

# emoji -> the label of its first row
TOPIC_LABELS: dict[str, str] = _labels(_ROWS)


@cache
def topic_pictograms(language: str) -> dict[str, tuple[str, str]]:
    """The topic table in ``language``: word -> (emoji, label); {} for one it lacks."""
    return TOPIC_PICTOGRAMS if language == "en" else _table(_translated_rows(language))


@cache
def topic_labels(language: str) -> dict[str, str]:
    """emoji -> its label in ``language``, for the emoji the topic table has there."""
    return TOPIC_LABELS if language == "en" else _labels(_translated_rows(language))
