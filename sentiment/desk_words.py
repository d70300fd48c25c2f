"""Service-desk language on top of TextBlob's lexicon: the words and phrases customers and agents use.

TextBlob's lexicon (pattern's en-sentiment.xml) was built from product reviews: it knows "great" and
"terrible" but not "broken again", "escalate" or "still not working", and it scores politeness
("kind regards", "best wishes", "good morning") as praise. These tables correct that. Polarities are on
TextBlob's scale [-1, 1].
"""

from __future__ import annotations

# Words the review-based lexicon lacks or misjudges for support conversations.
DESK_POLARITY: dict[str, float] = {
    # things going wrong
    "broken": -0.6,
    "broke": -0.5,
    "breaks": -0.4,
    "crash": -0.5,
    "crashes": -0.5,
    "crashed": -0.5,
    "crashing": -0.5,
    "fail": -0.4,
    "fails": -0.4,
    "failed": -0.4,
    "failing": -0.4,
    "failure": -0.4,
    "outage": -0.5,
    "stuck": -0.5,
    "unusable": -0.8,
    "unresponsive": -0.5,
    "lost": -0.3,
    "problem": -0.2,
    "problems": -0.2,
    "issue": 0.0,
    "error": -0.1,
    "errors": -0.1,
    "bug": -0.1,
    "wrong": -0.5,
    "mess": -0.5,
    "messed": -0.5,
    "nightmare": -0.8,
    "disaster": -0.8,
    # how the customer feels about it
    "unacceptable": -0.8,
    "frustrating": -0.7,
    "frustrated": -0.7,
    "frustration": -0.7,
    "annoying": -0.6,
    "annoyed": -0.6,
    "disappointed": -0.7,
    "disappointing": -0.7,
    "useless": -0.7,
    "waste": -0.6,
    "wasted": -0.6,
    "wasting": -0.6,
    "hopeless": -0.7,
    "ridiculous": -0.7,
    "absurd": -0.6,
    "angry": -0.7,
    "furious": -0.9,
    "upset": -0.6,
    "sucks": -0.7,
    "suck": -0.6,
    "damn": -0.5,
    "dammit": -0.6,
    "hell": -0.4,
    "shit": -0.7,
    "crap": -0.6,
    "wtf": -0.8,
    "ugh": -0.5,
    "argh": -0.5,
    "oops": -0.3,
    "unfortunately": -0.4,
    "sadly": -0.4,
    "sorry": -0.3,
    "apologies": -0.2,
    "worried": -0.4,
    "worry": -0.3,
    "concerned": -0.3,
    "complain": -0.5,
    "complaint": -0.5,
    "complaints": -0.5,
    "refund": -0.3,
    "ignored": -0.5,
    "ignoring": -0.5,
    "weird": -0.3,
    "confusing": -0.4,
    "confused": -0.3,
    "painful": -0.6,
    "terrible": -0.9,
    "horrible": -0.9,
    "awful": -0.9,
    "worst": -1.0,
    "pathetic": -0.9,
    # pressure and escalation
    "escalate": -0.5,
    "escalated": -0.5,
    "escalating": -0.5,
    "escalation": -0.5,
    "urgent": -0.3,
    "urgently": -0.3,
    "asap": -0.3,
    "immediately": -0.2,
    "deadline": -0.1,
    # a workaround is not a fix: on its own it leans negative
    "workaround": -0.1,
    # things going right
    "thanks": 0.3,
    "thank": 0.3,
    "thx": 0.3,
    "ty": 0.3,
    "cheers": 0.3,
    "kudos": 0.6,
    "appreciate": 0.5,
    "appreciated": 0.5,
    "grateful": 0.6,
    "helpful": 0.5,
    "lgtm": 0.6,
    "works": 0.15,
    "worked": 0.2,
    "working": 0.15,
    "work": 0.05,
    "fixed": 0.25,
    "resolved": 0.25,
    "solved": 0.3,
    "glad": 0.5,
    "pleased": 0.5,
    "love": 0.6,
    "awesome": 0.9,
    "brilliant": 0.9,
    "excellent": 0.9,
    "fantastic": 0.9,
    "amazing": 0.8,
    "superb": 0.9,
    "smooth": 0.4,
    "quick": 0.3,
    "quickly": 0.2,
    "fast": 0.2,
    "neat": 0.5,
    "yay": 0.7,
    "hooray": 0.7,
}

# Words that only carry sentiment through negation: "not working", "never got a reply", "no update".
# A customer who writes them negated is reporting a failure of service, whatever their lexicon value.
EXPECTED_GOOD: frozenset[str] = frozenset(
    {
        "work",
        "works",
        "working",
        "worked",
        "fixed",
        "resolved",
        "solved",
        "help",
        "helped",
        "helping",
        "helpful",
        "respond",
        "responded",
        "response",
        "responses",
        "reply",
        "replied",
        "replies",
        "answer",
        "answered",
        "answers",
        "update",
        "updated",
        "updates",
        "heard",
        "received",
        "got",
        "get",
        "fix",
        "feedback",
        "progress",
        "acknowledged",
        "callback",
        "contact",
        "contacted",
        "load",
        "loads",
        "loading",
        "open",
        "opens",
        "start",
        "starts",
        "connect",
        "connects",
        "log",
        "login",
        "access",
        "responding",
    }
)
NEGATED_EXPECTED_POLARITY = -0.5

NEGATORS: frozenset[str] = frozenset(
    {
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "cannot",
        "hardly",
        "barely",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "cant",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "havent",
        "hasnt",
        "hadnt",
        "aint",
    }
)
# Contractions that, with the apostrophe dropped as every other token's is, spell a word the lexicons
# weigh: "I'll" is not "ill", nor "he'll" "hell", "we'll" "well". They keep their apostrophe.
CONTRACTION_CLASHES: frozenset[str] = frozenset({"ill", "hell", "well", "whore"})
# A negation reaches this many words forward, and stops at a clause boundary.
NEGATION_SCOPE = 4
CLAUSE_BREAKS: frozenset[str] = frozenset({"but", "however", "although", "though", "yet", "except"})

# Multipliers for the next sentiment-bearing word.
INTENSIFIERS: dict[str, float] = {
    "very": 1.3,
    "really": 1.3,
    "so": 1.2,
    "too": 1.2,
    "extremely": 1.6,
    "totally": 1.5,
    "completely": 1.5,
    "absolutely": 1.6,
    "utterly": 1.6,
    "incredibly": 1.5,
    "super": 1.4,
    "highly": 1.3,
    "seriously": 1.4,
    "terribly": 1.5,
    "entirely": 1.3,
    "truly": 1.3,
    "most": 1.2,
    "such": 1.2,
    "even": 1.2,
    "fully": 1.2,
    "extra": 1.2,
    "slightly": 0.6,
    "somewhat": 0.7,
    "little": 0.7,
    "bit": 0.7,
    "quite": 0.9,
    "fairly": 0.8,
    "partly": 0.6,
    "partially": 0.6,
    "mostly": 0.9,
    "almost": 0.8,
    "barely": 0.5,
}
# "still broken", "failed again", "yet again", "once more": repetition makes a complaint worse.
REPEAT_MARKERS: frozenset[str] = frozenset({"again", "still", "another", "repeatedly", "anymore"})
# "the third time", "how many times", "every time": counted repetition, before "time(s)".
REPEAT_COUNTS: frozenset[str] = frozenset(
    {"second", "third", "fourth", "fifth", "umpteenth", "nth", "many", "several", "multiple", "every"}
)
REPEAT_BOOST = 1.4

# Phrases that are politeness formulas or idioms, not sentiment: their words are not assessed.
NEUTRAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("kind", "regards"),
    ("best", "regards"),
    ("warm", "regards"),
    ("warmest", "regards"),
    ("best", "wishes"),
    ("kind", "of"),
    ("good", "morning"),
    ("good", "afternoon"),
    ("good", "evening"),
    ("good", "day"),
    ("nice", "day"),
    ("great", "day"),
    ("nice", "weekend"),
    ("great", "weekend"),
    ("good", "weekend"),
    ("sure", "thing"),
    ("as", "well"),
    ("pretty", "much"),
    ("at", "least"),
    ("let", "me", "know"),
    ("dear",),
    ("please",),
    ("pls",),
    ("plz",),
    ("regards",),
    ("sincerely",),
    ("hi",),
    ("hello",),
    ("first",),
    ("more",),
    ("new",),
    ("other",),
    ("able",),
    ("last",),
    ("same",),
    ("real",),
    ("full",),
    ("high",),
    ("only",),
    ("own",),
    ("right",),
    ("free",),
    ("many",),
    ("much",),
)

# Phrases whose meaning is not the sum of their words.
PHRASE_POLARITY: dict[tuple[str, ...], float] = {
    ("no", "problem"): 0.3,
    ("no", "problems"): 0.3,
    ("no", "worries"): 0.3,
    ("not", "a", "problem"): 0.3,
    ("no", "issue"): 0.2,
    ("no", "issues"): 0.2,
    ("thank", "you"): 0.3,
    ("thanks", "a", "lot"): 0.5,
    ("thank", "you", "so", "much"): 0.6,
    ("many", "thanks"): 0.5,
    ("well", "done"): 0.7,
    ("good", "job"): 0.7,
    ("great", "job"): 0.8,
    ("nice", "work"): 0.6,
    ("good", "work"): 0.6,
    ("great", "work"): 0.8,
    ("looks", "good"): 0.6,
    ("makes", "sense"): 0.2,
    ("waste", "of", "time"): -0.8,
    ("fed", "up"): -0.8,
    ("sick", "of"): -0.7,
    ("tired", "of"): -0.6,
    ("give", "up"): -0.5,
    ("takes", "forever"): -0.6,
    ("taking", "forever"): -0.6,
    ("no", "one"): -0.3,
    ("not", "happy"): -0.6,
    ("not", "acceptable"): -0.8,
    ("what", "the", "hell"): -0.8,
    ("what", "the", "heck"): -0.6,
    ("too", "bad"): -0.5,
    ("yet", "again"): -0.3,
    ("same", "issue"): -0.2,
    ("same", "problem"): -0.3,
    ("+1",): 0.4,
    ("-1",): -0.2,
}

# Thanks said in contempt ("Thanks for nothing.", "Thank you for wasting my time."): a phrase of the
# lexicon like those above, and its thanking words are marked negated for the n-grams too
# ("not_thanks"), since the layer learnt "thanks" as gratitude and read the sarcasm as praise.
# The ways to say thanks, longest first. Opening a sentence before a "but" in it, they are courtesy
# (`lexicon._opening_courtesy`). "I appreciate the help, but ..." is left out: read as courtesy too, it
# cost the customer-voice sets a little under cross-validation (tweets 0.683 to 0.680, editorials
# 0.547 to 0.545) and gained no customer set anything.
THANKING: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            *(
                thanks + much
                for thanks in (("thanks",), ("thank", "you"))
                for much in ((), ("a", "lot"), ("so", "much"), ("very", "much"))
            ),
            ("many", "thanks"),
        ),
        key=len,
        reverse=True,
    )
)
# Courtesy that opens a sentence before the verdict turns: "Thanks, but ...", "I appreciate your help,
# but it is still not working", "Thank you, unfortunately the error came back". Thanks or appreciation,
# by first word, longest first; `lexicon.analyse` reads neither when a COURTESY_TURNS word follows.
COURTESY_OPENINGS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            *THANKING,
            *(
                (*who, *how, "appreciate")
                for who in ((), ("i",), ("we",))
                for how in ((), ("really",), ("do",), ("truly",), ("greatly",))
                if who or not how
            ),
        ),
        key=len,
        reverse=True,
    )
)
# "Though" is not one: "Thanks though!" is thanks all the same.
COURTESY_TURNS = frozenset({"but", "however", "unfortunately"})
_CONTEMPT: tuple[tuple[str, ...], ...] = (
    ("for", "nothing"),
    ("for", "absolutely", "nothing"),
    ("for", "wasting", "my", "time"),
    ("for", "wasting", "our", "time"),
)
SARCASTIC_THANKS: dict[tuple[str, ...], int] = {
    thanking + contempt: len(thanking)
    for thanking in THANKING
    if thanking[0] != "many"
    for contempt in _CONTEMPT
}
PHRASE_POLARITY.update(dict.fromkeys(SARCASTIC_THANKS, -0.8))

# A customer's apology for their own delay is courtesy, not remorse: "Sorry for the late reply, I was
# on holiday" read very negative, since in the labelled sets "sorry" is mostly regret. Neither the
# lexicon nor the n-grams read these words (`lexicon.analyse`); by first word, longest first.
_APOLOGY_FOR = (
    ("for", "the", "late", "reply"),
    ("for", "the", "late", "response"),
    ("for", "the", "late", "answer"),
    ("for", "my", "late", "reply"),
    ("for", "my", "late", "response"),
    ("for", "the", "delayed", "reply"),
    ("for", "the", "delayed", "response"),
    ("for", "the", "slow", "reply"),
    ("for", "the", "slow", "response"),
    ("for", "not", "replying", "sooner"),
    ("for", "not", "getting", "back", "sooner"),
    ("for", "not", "getting", "back", "to", "you", "sooner"),
    ("for", "the", "delay"),
    ("for", "my", "delay"),
    ("to", "bother", "you"),
    ("for", "bothering", "you"),
)
COURTESY_APOLOGIES: dict[str, tuple[tuple[str, ...], ...]] = {
    head: tuple(sorted(((head, *rest) for rest in _APOLOGY_FOR), key=len, reverse=True))
    for head in ("sorry", "apologies")
}

# Emoji and emoticons: what a customer writes them for in a support conversation.
EMOJI_POLARITY: dict[str, float] = {
    "🙂": 0.5,
    "😀": 0.7,
    "😃": 0.7,
    "😄": 0.7,
    "😁": 0.7,
    "😊": 0.7,
    "😉": 0.3,
    "😍": 0.9,
    "🥰": 0.9,
    "😎": 0.5,
    "🤗": 0.6,
    "👍": 0.6,
    "👏": 0.7,
    "🙌": 0.7,
    "🎉": 0.8,
    "🥳": 0.8,
    "💯": 0.6,
    "✅": 0.3,
    "❤": 0.8,
    "❤️": 0.8,
    "♥": 0.8,
    "💪": 0.5,
    "🙏": 0.4,
    "😅": 0.1,
    "😂": 0.4,
    "🤣": 0.4,
    "🙁": -0.5,
    "☹": -0.6,
    "☹️": -0.6,
    "😞": -0.6,
    "😟": -0.5,
    "😕": -0.4,
    "😒": -0.5,
    "😔": -0.5,
    "😢": -0.7,
    "😭": -0.8,
    "😠": -0.8,
    "😡": -0.9,
    "🤬": -1.0,
    "😤": -0.7,
    "😩": -0.7,
    "😫": -0.7,
    "🙄": -0.5,
    "👎": -0.6,
    "💩": -0.7,
    "❌": -0.3,
    "🤦": -0.6,
    "😱": -0.5,
    "😣": -0.6,
    "😖": -0.6,
    ":)": 0.5,
    ":-)": 0.5,
    "=)": 0.5,
    ":]": 0.5,
    ":d": 0.7,
    ":-d": 0.7,
    "xd": 0.6,
    ";)": 0.3,
    ";-)": 0.3,
    ":p": 0.3,
    ":-p": 0.3,
    "<3": 0.8,
    "^^": 0.4,
    "^_^": 0.5,
    ":(": -0.6,
    ":-(": -0.6,
    "=(": -0.6,
    ":[": -0.6,
    ":'(": -0.8,
    ":/": -0.3,
    ":-/": -0.3,
    ":\\": -0.3,
    ":s": -0.3,
    ":|": -0.2,
    ":-|": -0.2,
    ">:(": -0.9,
    "-_-": -0.4,
    "d:": -0.6,
}

# All-capitals words that are names and acronyms, not shouting.
NOT_SHOUTING: frozenset[str] = frozenset({"I", "OK", "A"})
CAPS_BOOST = 1.5
EXCLAMATION_BOOST = 0.15  # per "!", up to three

# Emotion families, pooled so that a rare word counts with its common relatives ("crap" with "damn").
# Customers' anger and sadness (apologies, regret, things missed) are what a service desk must notice;
# joy is mostly thanks and praise.
_SADNESS = (
    "sorry unfortunately unfortunate sadly sad apologies apologize apologise afraid oops mistake fault "
    "miss missed regret disappointed disappointing worried worry"
)
_ANGER = (
    "damn hell shit crap wtf sucks suck stupid ridiculous annoying annoyed hate fuck fucking idiot "
    "idiotic dumb silly crazy insane ugly evil horrible terrible awful worst useless pathetic bullshit "
    "angry furious frustrating frustrated unacceptable nonsense"
)
_JOY = (
    "thanks thank thx great glad awesome happy nice cool excellent love appreciate appreciated cheers "
    "perfect wonderful fantastic neat yay congrats congratulations kudos brilliant superb amazing lgtm "
    "pleased"
)
EMOTION_CATEGORY: dict[str, str] = {
    **dict.fromkeys(_SADNESS.split(), "cat:sadness"),
    **dict.fromkeys(_ANGER.split(), "cat:anger"),
    **dict.fromkeys(_JOY.split(), "cat:joy"),
}
