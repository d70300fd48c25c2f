"""The service desk's own signals: what customers write that no general lexicon scores.

"Still waiting", "any update?", "I have asked twice", "since Monday" carry no sentiment word, yet a
person reads impatience; "I can't work" and "we are losing money" are the cost of the problem; "you
promised a callback" is trust broken; "your support is useless" and "the technician was unhelpful"
judge the service, as "the agent was really patient" does the other way; "lifesaver", "sorted it",
"works like a charm" are relief and praise. Survey answers and feedback forms add the customer's
verdict: "would not recommend", "waste of money", "we will be back". The labelled sets hold too few
of them to learn from (a few dozen in 80,000 texts), so each signal is a set of patterns with a
fixed, documented weight that is added to the message polarity once, however often its patterns
match. The names are part of the API: callers read
`SentimentResult.signals` (the ELA feature uses "chasing" to tell a customer chasing).

| signal | weight | what it means |
|---|---|---|
| chasing | -0.20 | asking for an update ("just checking in", "can I get an ETA?"), waiting (on hold too), having asked before, counting the days ("going on for months"), a problem still there or back again ("the problem persists", "it still crashes", "I still can't log in", "same error as before", a reply of "Still the same." or "No change."), too long a wait ("took far too long") |
| lost_work | -0.25 | the problem costs the customer work, time or money ("this is blocking the whole team") |
| broken_promise | -0.25 | something promised (a callback, a fix, a date, a visit: "nobody turned up") did not happen |
| poor_service | -0.25 | the service, or the people who give it, judged poor: "your support is useless", "the technician was unhelpful", "thanks for nothing", the customer left uninformed ("why did nobody tell me?") or let down ("I was expecting a faster response") |
| frustrated | -0.25 | the customer's patience at an end, in idiom the lexicons miss: "fed up", "sick of this", "I've had enough", "I'm losing patience", "this is a joke", "are you kidding me", the writer escalating ("I want to escalate this", "we will cancel the contract"), and praise said in sarcasm over a fault ("Great, now Outlook doesn't work either.", sentiment.sarcasm) |
| praise | +0.25 | relief and praise in the desk's idiom, beyond the lexicon's words, the service judged good included: "the engineer was very patient", "the engineer came on time and was very professional", and the problem gone: "everything is working again" |
| recommends | +0.25 | a customer's verdict that commends: "highly recommend", "I will be back", "worth every penny", "better than expected" |
| advises_against | -0.25 | a customer's verdict that warns others off: "would not recommend", "waste of money", "never again", "I returned it" |

The weights are on the polarity scale [-1, 1]: one signal on an otherwise neutral comment moves it
past the fitted label threshold (about +-0.1) into the plain negative (positive) mood, not into the
"very" band (beyond about -0.37 and +0.60: the fitted bands never start nearer than one signal's
weight); two negative signals together make it very negative. They were set by reading, not fitted,
and are constants here so that a change to them shows in review.
"""

# Each pattern stays on one line, however long, so that it reads as one regex in review.
# ruff: noqa: E501

from __future__ import annotations

import re
from collections.abc import Mapping

from sentiment.regex_gate import GatedPattern

CHASING = "chasing"
LOST_WORK = "lost_work"
BROKEN_PROMISE = "broken_promise"
POOR_SERVICE = "poor_service"
FRUSTRATED = "frustrated"
PRAISE = "praise"
RECOMMENDS = "recommends"
ADVISES_AGAINST = "advises_against"

SIGNAL_WEIGHTS: Mapping[str, float] = {
    CHASING: -0.20,
    LOST_WORK: -0.25,
    BROKEN_PROMISE: -0.25,
    POOR_SERVICE: -0.25,
    FRUSTRATED: -0.25,
    PRAISE: 0.25,
    RECOMMENDS: 0.25,
    ADVISES_AGAINST: -0.25,
}
SIGNALS: frozenset[str] = frozenset(SIGNAL_WEIGHTS)

_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last\s+(?:week|month|night))"
_COUNT = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|several|many|a\s+few|few)"
# "over a week", "more than 3 days": a count, or "a" / "an", with its hedge.
_SOME = r"(?:(?:over|almost|nearly|more\s+than|about|around)\s+)?(?:an?|" + _COUNT + r")"
# "1st" is left out: "my 1st ticket" is a first. "Every 2nd attempt" counts attempts, not requests.
_ORDINAL = r"(?<!every\s)(?:second|third|fourth|fifth|sixth|umpteenth|nth|(?!1st\b)\d+(?:st|nd|rd|th))"
_PERIOD = r"(?:hours?|days?|weeks?|months?)"
_NOBODY = r"(?:nobody|no\s*-?\s*one|noone|no\s+one\s+(?:has|have))"
# Who gives the service, as customers name them: a verdict on one of these ("the technician was rude")
# is a verdict on the service. General lexicons weigh many of the adjectives below weakly or not at
# all ("unhelpful", "knowledgeable", "dismissive"), and read "a joke" as a joke. A determiner is
# required ("the", "your"), so that "the email service is down" or "the backup agent" (software)
# is no verdict; "our" and "my" are left out, they name the customer's own people. Only "service"
# and "support" may stand bare, at the start of a sentence ("Service was quick and friendly.").
_SERVER_NOUN = r"(?:service(?:\s+desk)?|support(?:\s+team|\s+staff)?|help\s*desk|helpdesk|it\s+desk|agents?|technicians?|techs?|engineers?|team|staff|analysts?|person|guy|lady|man|woman|operator|rep|representative|advisor|adviser|consultant)"
_SERVER = (
    r"(?:(?:(?:the|your|this|that)\s+" + _SERVER_NOUN + r")|(?:(?<![\w,;:] )(?<!\w)(?:service|support)))"
)
_BE = r"(?:\s+(?:is|was|were|are|has\s+been|have\s+been)|'s)"
_YOU = r"(?:you(?:\s+guys|\s+people|\s+lot)?(?:'re|\s+are|\s+were|\s+have\s+been|'ve\s+been))"
_DEGREE = r"(?:(?:so|very|really|extremely|incredibly|super|always|just|truly|completely|totally|utterly|absolutely|quite|pretty|rather|fairly|a\s+bit|a\s+little)\s+){0,2}"
_VERDICT = r"(?:" + _SERVER + _BE + r"|" + _YOU + r")\s+" + _DEGREE
# The same verdict after what the server did, in one clause: "the engineer came on time and was very
# professional", "the technician turned up late and was rude".
_LATER_VERDICT = (
    _SERVER + r"\s+[^.!?;,]{1,50}?\s+and(?:\s+(?:is|was|were|are|has\s+been|have\s+been))\s+" + _DEGREE
)
# "kind of late", "quick to blame", "fast becoming": these adjectives do not judge the service there
# ("kind to help me" does).
_GOOD_SERVICE = r"(?:(?:quick|fast|prompt)\b(?!\s+(?:of|to|becoming|approaching|enough)\b)|kind\b(?!\s+of\b)|(?:helpful|friendly|patient|knowledgeable|courteous|polite|professional|responsive|efficient|thorough|attentive|supportive)\b)"
_POOR_SERVICE = r"(?:(?:useless|unhelpful|rude|dismissive|incompetent|clueless|unprofessional|hopeless|pathetic|condescending|arrogant|appalling|atrocious|shocking)\b|an?\s+(?:(?:absolute|complete|total|real|utter|bloody)\s+)?(?:joke|disgrace|shambles|nightmare)\b)"
_NOT_HELPFUL = (
    r"(?:"
    + _SERVER
    + r"|you(?:\s+guys)?)(?:\s+(?:isn't|wasn't|weren't|aren't|is\s+not|was\s+not|were\s+not|are\s+not|(?:has|have)\s+never\s+been|(?:is|was|were|are)\s+never)|'re\s+not)\s+(?:(?:very|at\s+all|remotely|particularly|even\s+slightly)\s+)?(?:helpful|useful|interested)\b"
)
# Whom or what a verdict names: "recommend it", "recommend this place", "recommend you guys".
_VERDICT_OBJECT = r"(?:it|this|them|these|this\s+\w+|these\s+\w+|the\s+\w+|you|you\s+guys|him|her)"
# Who comes back: the writer. "I'd", "we will": "he would come back" is a story, not a verdict.
_WE = r"(?:i|we|i'll|we'll|i'd|we'd|i\s+will|we\s+will|i\s+would|we\s+would|i\s+shall|we\s+shall)"
# Customers misspell it often enough to matter in verdicts: "reccomend", "recomend", "reccommend".
# The patterns and the trigger words below both come from this one list.
_RECOMMEND_SPELLINGS = ("recommend", "recomend", "reccomend", "reccommend")
_RECOMMEND = "(?:" + "|".join(_RECOMMEND_SPELLINGS) + ")"
_WONT = r"(?:would\s+not|wouldn't|wouldnt|will\s+not|won't|wont|do\s+not|don't|dont|can't|cannot|could\s+not|couldn't|never)"
# Thanks said in contempt, "thanks (a lot) for nothing", "thank you for wasting my time": poor_service,
# and not praise ("thanks a lot" before it fires none).
_THANKS_FOR = r"\bthank(?:s|\s+you)(?:\s+(?:a\s+lot|so\s+much|very\s+much))?\s+for\s+"
_NOTHING = r"(?:(?:absolutely|precisely)\s+)?nothing\b"
_NOT_FOR_NOTHING = r"(?!\s+for\s+" + _NOTHING + r"|\s+for\s+wasting\b)"
# "We will be back!" is a verdict; "I will be back at my desk at noon" and "I'll come back to you on
# this" are not: coming back is one only at the end of its clause, or "again", "for sure", "for more".
_COMING_BACK = r"(?=\s*(?:[.!,;)]|$)|\s+(?:again|for\s+sure|for\s+more|ever)\b)"
# A ticket closed without what the customer needed: "you closed my ticket without fixing anything",
# "why was my case closed without a reply?".
_TICKET = r"(?:ticket|case|request|incident|call)"
_WITHOUT_HELP = r"without\s+(?:fixing|solving|resolving|sorting|asking|checking|telling|contacting|doing|even|any\b|a\s+(?:fix|reply|word|solution|response))"
_ASKED = r"(?:asked|requested|chased|emailed|e-mailed|called|phoned|rung|rang|written|wrote|raised|reported|contacted|mentioned|followed\s+up)"

# A fault in the present tense, after "still": the machine's own verb ("crashes", "times out") or a
# thing it does not do ("won't boot", "can't log in", "doesn't print").
_FAULT_NOW = (
    r"(?:crashes|freezes|hangs|fails|jams|drops|disconnects|reboots|restarts|times\s+out|"
    r"(?:won't|wont|will\s+not|can't|cant|cannot|can\s+not|doesn't|does\s+not|don't|do\s+not|isn't|is\s+not|not)\s+"
    r"(?:boot|start|load|open|print|connect|log\s*in|sign\s+in|sync|send|receive|turn\s+on|power\s+on|"
    r"charge|install|save(?!\s+(?:it|him|her|them)sel)|launch|access|respond|recogni[sz]e|detect|let\s+me))"
)

# Patterns read the message in lower case, with typographic apostrophes made plain.
_PATTERNS: Mapping[str, tuple[str, ...]] = {
    CHASING: (
        r"\bany\s+(?:updates?|news|progress|feedback|word|eta)\b",
        r"\b(?:is|are)\s+there\s+(?:an?|any)\s+(?:updates?|news|progress|eta)\b",
        r"\bstill\s+(?:waitin[g']?|no\s+(?:reply|response|answer|update|news|word|fix|call|refund|progress|solution|luck|change|improvement)|nothing|not\s+(?:heard|fixed|resolved|sorted|working)|(?:doesn't|does\s+not|isn't|is\s+not)\s+work(?:ing)?|broken|failing|slow|down|crashing|freezing|stuck|jammed|happening|occurring|an\s+issue|a\s+problem|not\s+(?:loading|responding|printing|connecting|syncing|sending|receiving)|the\s+same\s+(?:problem|issue|error|fault))\b",
        r"\bon\s+hold\s+(?:for\s+)?(?:over\s+|almost\s+|nearly\s+|more\s+than\s+)?(?:(?:"
        + _COUNT
        + r")\s+(?:minutes?|mins?|hours?)|an?\s+(?:hour|half\s+hour)|half\s+an\s+hour|ages|ever)\b",
        r"\b(?:been|am|are|keep)\s+waiting\b",
        r"\bwaiting\s+(?:for|since)\s+(?:days|weeks|hours|ages|over|more\s+than|a\s+(?:week|month|day)|an?\s+(?:answer|reply|response|update)|someone|somebody|anyone)",
        r"\bwaited\s+(?:for\s+)?(?:" + _COUNT + r"\s+)?" + _PERIOD + r"\b",
        r"\bwaiting\s+(?:for\s+)?" + _SOME + r"\s+" + _PERIOD + r"\b",
        r"\b(?:i|we)(?:\s+have|'ve|\s+already|\s+had)?\s+(?:already\s+)?"
        + _ASKED
        + r"\s+(?:\w+\s+){0,3}?(?:twice|three\s+times|several\s+times|multiple\s+times|many\s+times|again|already|repeatedly|before)\b",
        r"\basked\s+(?:twice|again|repeatedly|(?:" + _COUNT + r"|multiple)\s+times)\b",
        r"\b" + _ORDINAL + r"\s+(?:time|email|e-mail|call|request|reminder|ticket)\b",
        # "Once again, thank you" is thanks said twice, not a complaint repeated.
        r"\b(?:how\s+many\s+times|once\s+again(?!,?\s+(?:thanks?\b|thank\s+you|many\s+thanks|(?:i|we)\s+(?:really\s+)?appreciate|great|well\s+done|sorry|apolog))|yet\s+again)\b",
        r"\b(?P<since>since\s+" + _DAYS + r")\b",
        # Only as a question of its own: "Can I speak to anyone there?" asks for a person.
        r"(?<![\w,;:] )(?<!\w)(?:is\s+)?(?:anyone|anybody)\s+(?:there|out\s+there|listening|alive|awake)\s*\?",
        r"\bhello\s*\?{2,}",
        r"\bis\s+(?:anyone|anybody|someone|somebody)\s+(?:even\s+|actually\s+)?(?:looking\s+(?:at|into)|working\s+on|dealing\s+with|handling|checking)\s+(?:this|it|my|our|the)\b",
        # A problem back again ("broken again", "it happened again"), unless supposed ("if it crashed again").
        r"\b(?P<again>(?:broken|broke|down|failing|failed|crashing|crashed|freezing|froze|not\s+working|stopped\s+working|happening|happened)\s+again)\b",
        r"\b(?:the\s+|this\s+|my\s+|our\s+|same\s+)(?:issue|problem|error|fault|bug)\s+(?:is|has\s+come|came|'s)\s+back\b",
        # "Let me know if you are still seeing issues" supposes.
        # A fault still there in the present ("it still crashes", "I still can't log in"); "I still
        # can't believe how quick that was" names no fault.
        r"\b(?P<still>still\s+(?:(?:having|getting|seeing|experiencing|facing)\s+(?:the\s+same\s+|this\s+|that\s+|an?\s+|the\s+)?(?:issue|problem|error|fault|trouble)s?|"
        + _FAULT_NOW
        + r"))\b",
        r"\b(?P<still_there>(?:problem|issue|error|fault)s?(?:\s+messages?)?\s+(?:still\s+)?(?:persists?|remains?|continues?|is\s+still\s+there|keeps?\s+(?:coming\s+back|happening|appearing|popping\s+up|coming\s+up)|still\s+(?:appears|occurs|happens|shows\s+up|pops\s+up|comes\s+up)))\b",
        r"\bsame\s+(?:error|problem|issue|fault)\s+as\s+(?:before|last\s+time|yesterday|last\s+week)\b",
        # A reply that is all of it: "Still the same.", "No change.", "Same problem here." ("Is it still
        # the same?" asks; "the version is still the same" says nothing went wrong).
        r"(?:^|(?<=[.!?])\s)\s*(?:(?:it's|it\s+is|everything\s+is|all)\s+)?(?:still\s+the\s+same|(?:still\s+)?no\s+change|(?:the\s+)?same\s+(?:problem|issue|error)(?:\s+(?:again|still|today))?)(?:\s+(?:here|for\s+me|unfortunately))?\s*(?:[.!]+|$)",
        r"\b(?:been\s+)?going\s+on\s+for\s+(?:days|weeks|months|ages|years|over\s+a|more\s+than|"
        + _COUNT
        + r"\s+"
        + _PERIOD
        + r")\b",
        r"\b(?:just\s+checking\s+in|checking\s+in\s+(?:on|about)\s+(?:this|my|our|the\s+(?:ticket|status|request|issue|case)))\b",
        r"\b(?:can|could)\s+(?:i|we|you)\s+(?:please\s+)?(?:get|have|give\s+(?:me|us))\s+an?\s+(?:eta|update|status\s+update)\b",
        # "Another outage": "another issue" is as often a new topic ("that fixes another issue").
        r"\banother\s+(?:outage|crash|blue\s+screen|power\s+cut)\b",
        r"\bkeeps?\s+(?:on\s+)?(?:crashing|failing|freezing|dropping|disconnecting|happening|breaking|rebooting|restarting|logging\s+me\s+out)\b",
        r"\b(?:have|had)\s+to\s+(?:explain|repeat|ask|tell|say|write|send)\b[^.!?]{0,40}\bagain\b",
        r"\b"
        + _NOBODY
        + r"\s+(?:has\s+|have\s+|had\s+|ever\s+|even\s+)?(?:replied|responded|answered|called|rang|got\s+back|gotten\s+back|came\s+back|contacted|reached\s+out|looked|bothered|cares|picks\s+up|responds|replies|answers|listens|listened|helped|helps|reads?\s+(?:my|our)\s+\w+)\b",
        r"\b(?:haven't|have\s+not|hasn't|has\s+not|didn't|did\s+not|never)\s+(?:heard|had|got|gotten|received)\s+(?:anything|back|a\s+(?:reply|response|call|callback|word)|any\s+(?:reply|response|update|news|word))",
        r"\b(?:taking|takes|took)\s+(?:(?:so|too|this|that|far\s+too|way\s+too|much\s+too)\s+long|forever|ages)\b",
        r"\bwhy\s+(?:is|does)\s+(?:this|it)\s+(?:taking|take)\b",
        r"\bit(?:\s+has|'s)\s+been\s+" + _SOME + r"\s+" + _PERIOD + r"\b",
        r"\b(?:for|over)\s+" + _COUNT + r"\s+" + _PERIOD + r"\s+now\b",
        r"\bno\s+(?:reply|response|answer|update|news|word)\s+(?:yet|so\s+far|at\s+all|since)\b",
        r"\b(?<!for\s)(?<!the\s)(?:follow(?:ing)?\s+up|chasing)\s+(?:on|again|this|up|my|our|the)\b",
        r"\b(?:when|how\s+long)\s+(?:will|until|till|before)\b.{0,40}\b(?:fixed|resolved|sorted|hear|answer|reply|respond|done)\b",
    ),
    LOST_WORK: (
        r"\b(?:i|we|they|staff|users|nobody|no\s+one|(?:the|our|my)\s+(?:whole\s+|entire\s+)?(?:team|office|department|staff|company))\s+(?:can't|cannot|can\s+not|couldn't|am\s+unable\s+to|are\s+unable\s+to|is\s+unable\s+to)\s+(?:do\s+(?:my|our|any|their)\s+)?(?:work|job)\b",
        r"\bunable\s+to\s+(?:work|do\s+(?:my|our)\s+(?:work|job))\b",
        r"\b(?:los(?:ing|e|t)|costing|cost)\s+(?:us\s+|me\s+)?(?:money|revenue|sales|customers|clients|business|orders|income|a\s+fortune|thousands|hundreds)\b",
        r"\blost\s+(?:all\s+)?(?:my|our|the)\s+(?:work|data|files|progress|orders)\b",
        r"\b(?:deleted|wiped|erased)\s+(?:all\s+)?(?:of\s+)?(?:my|our)\s+(?:\w+\s+)?(?:files|data|e-?mails|mails|bookmarks|work|documents|photos|contacts|notes|folders)\b",
        r"\b(?:losing|lost|wasted|wasting)\s+(?:(?:a\s+)?(?:whole|full|entire)\s+|"
        + _COUNT
        + r"\s+)?(?:hours?|days?|weeks?|a\s+day|the\s+day|time)\s+(?:of\s+work)?",
        r"\b(?:business|production|shop|store|site|team|everything|we\s+are|we're)\s+(?:is\s+|are\s+)?(?:down|at\s+a\s+standstill|stopped|blocked|dead\s+in\s+the\s+water)\b",
        r"\b(?:sitting|standing)\s+idle\b",
        r"\b(?:is\s+|it's\s+|this\s+is\s+)?(?:blocking|holding\s+up)\s+(?:the\s+|my\s+|our\s+)?(?:whole\s+|entire\s+)?(?:team|office|department|company|business|production|everyone|everybody|all\s+of\s+us)\b",
        # Work to be done again ("I had to redo the report"), unless supposed ("if I have to redo it").
        r"\b(?P<redo>(?:i|we)(?:'ve|'ll|'d)?\s+(?:(?:now|will|also|even|just|then)\s+)?(?:have\s+|had\s+)?(?:had|have)\s+to\s+(?:redo|re-do|start\s+(?:all\s+)?over|do\s+(?:it|everything|the\s+whole\s+thing)\s+(?:all\s+)?(?:over\s+)?again))\b",
        r"\b(?:can't|cannot|unable\s+to)\s+(?:serve|invoice|bill|pay\s+(?:our|my)|ship|process\s+(?:orders|payments))",
    ),
    BROKEN_PROMISE: (
        # "As promised, here are the logs" keeps a promise.
        r"\b(?<!as\s)(?<!as\si\s)(?<!as\swe\s)promised\b",
        r"\b(?:not|never|\w+n't)\s+(?:\w+\s+){0,2}as\s+(?:i\s+|we\s+|you\s+)?promised\b",
        # "I was told to restart it" is an instruction; "I was told it would be fixed" a promise.
        r"\b(?:was|were|been)\s+(?:told(?!\s+to\s+(?!expect|wait|hear)\w)|assured|guaranteed)\b",
        r"\b(?:you|they|he|she|your\s+\w+)\s+(?:said|told\s+(?:me|us)|assured\s+(?:me|us))\s+(?:that\s+)?(?:you|they|it|someone|somebody|he|she|this)\s+(?:would|will|'d)\b",
        r"\b(?:supposed|meant)\s+to\s+(?:be\s+(?:fixed|resolved|sorted|done|here|delivered)|call|ring|get\s+back|hear|have\s+been|receive|arrive)",
        r"\bnever\s+(?:called|rang|got\s+back|came\s+back|followed\s+up|showed\s+up|turned\s+up|arrived|happened|heard\s+back)\b",
        r"\b"
        + _NOBODY
        + r"\s+(?:ever\s+)?(?:turned\s+up|showed\s+up|came\s+(?:out|round|over|to\s+(?:fix|see|look))|arrived)\b",
        r"\b(?:no|never\s+got\s+the|didn't\s+get\s+the|still\s+no)\s+call\s*-?\s*back\b",
        r"\b(?:missed|broke|broken)\s+(?:the\s+|your\s+|their\s+)?(?:deadline|appointment|promise|commitment)\b",
        r"\b(?P<fix>(?:your|the|their|his|her)\s+(?:fix|solution|workaround|suggestion|patch|advice|instructions)\s+(?:did\s+not|didn't|does\s+not|doesn't|has\s+not|hasn't|never)\s+(?:work|help|fix|solve))",
    ),
    POOR_SERVICE: (
        r"\b" + _VERDICT + _POOR_SERVICE,
        r"\b" + _LATER_VERDICT + _POOR_SERVICE,
        r"\b(?:you|they|someone|somebody|the\s+\w+)\s+closed\s+(?:my|our|the|this)\s+"
        + _TICKET
        + r"\s+"
        + _WITHOUT_HELP,
        r"\b(?:(?:my|our|the|this)\s+"
        + _TICKET
        + r"\s+(?:was|got|has\s+been|had\s+been)|(?:was|has)\s+(?:my|our|the|this)\s+"
        + _TICKET
        + r"(?:\s+been)?)\s+closed\s+"
        + _WITHOUT_HELP,
        r"\b" + _NOT_HELPFUL,
        # Thanks said in contempt: the lexicon reads "thanks" and misses the sarcasm.
        _THANKS_FOR + _NOTHING,
        _THANKS_FOR + r"wasting\s+(?:my|our)\s+(?:time|day|morning|afternoon|money)\b",
        r"\bno\s+thanks\s+to\s+(?:you|them|your\s+\w+(?:\s+\w+)?)(?=\s*(?:[.!,;]|$))",
        # Left uninformed: "why did nobody tell me the system would be down?", "nobody explained it".
        # Not "nobody told me": "nobody told me it would be this easy!" is a pleasant surprise.
        r"\bwhy\s+(?:did\s+|didn't\s+)?(?:nobody|no\s*-?\s*one|noone|anyone|anybody|you)\s+(?:tell|warn|inform|notify)\s+(?:me|us)\b",
        r"\b"
        + _NOBODY
        + r"\s+(?:has\s+|had\s+|ever\s+|even\s+|bothered\s+to\s+)?(?:(?:warned|informed|notified)\s+(?:me|us)|explained\s+(?:it|this|that|why|what|how|anything))\b",
        # Service below what was expected: "I was expecting a faster response", "we hoped for better".
        r"\b(?:i|we)(?:\s+was|\s+were|'d|\s+had)?\s+(?:really\s+)?(?:expected|expecting|hoped\s+for|hoping\s+for)\s+(?:a\s+(?:much\s+)?)?(?:faster|quicker|better|more\s+(?:help|support|from))\b",
    ),
    FRUSTRATED: (
        r"\bfed\s+up\b",
        r"\b(?:sick|tired)\s+(?:and\s+tired\s+)?of\s+(?:this|it|that|these|waiting|chasing|asking|calling|being|having|the\s+same|your|you|all)\b",
        r"\bhad\s+enough(?=\s*(?:[.!,;]|$)|\s+(?:of|now|already)\b)",
        r"\bat\s+(?:my|our)\s+wit'?s'?\s+end\b",
        r"\b(?:losing|lost|run(?:ning)?\s+out\s+of)\s+(?:(?:my|our|all)\s+)?patience\b",
        r"\bpatience\s+is\s+(?:wearing|running)\s+(?:thin|out)\b",
        r"\b(?:this|it|that)(?:\s+is|'s)\s+(?:(?:getting|becoming)\s+)?(?:beyond\s+a\s+joke|(?:a|an\s+absolute|a\s+complete|a\s+total|an\s+utter)\s+joke)\b",
        r"\bis\s+this\s+(?:some\s+(?:kind|sort)\s+of\s+)?a\s+joke\b",
        r"\b(?:are|r)\s+you\s+(?:guys\s+)?(?:kidding|joking)(?:\s+me)?\s*\?",
        r"\byou(?:'ve|\s+have)\s+got\s+to\s+be\s+(?:kidding|joking)\b",
        r"\bdriving\s+me\s+(?:crazy|mad|nuts|insane|up\s+the\s+wall)\b",
        r"\bthe\s+last\s+straw\b",
        # Escalation, by the writer: "I want to escalate this", "we will cancel the contract". "He wants
        # to speak to the manager" is a story.
        r"\b(?:i|we)(?:'d|'ll|'m\s+going|\s+am\s+going|\s+are\s+going|\s+would|\s+want|\s+need|\s+will|\s+shall)?\s+(?:like\s+to\s+|to\s+)?(?:escalate\s+(?:this|it|my|our|the)|speak\s+to\s+(?:your|a|the)\s+(?:manager|supervisor)|cancel\s+(?:the|our|my)\s+(?:contract|subscription)|(?:file|make|raise|lodge)\s+a\s+(?:formal\s+)?complaint)\b",
    ),
    PRAISE: (
        r"\b" + _VERDICT + _GOOD_SERVICE,
        r"\b" + _LATER_VERDICT + _GOOD_SERVICE,
        r"\blife\s*-?\s*saver\b",
        r"\bsaved\s+(?:my|our|the)\s+(?:life|lives|day|bacon|skin|week)\b",
        # "Sorted it myself" is no praise for the desk.
        r"\b(?:sorted|fixed|solved|nailed)\s+(?:it|this|that)(?:\s+out)?\b(?!\s*\?|\s+(?:myself|ourselves|on\s+(?:my|our)\s+own)\b)",
        r"\b(?:all|that's|that\s+is|it's|it\s+is|everything\s+is|problem|issue)\s+(?:sorted|solved)\b",
        r"\b(?:works?|worked|working)\s+(?:like\s+a\s+charm|a\s+treat|perfectly|flawlessly|like\s+magic)\b",
        r"\bback\s+(?:up\s+)?(?:and\s+)?running\b",
        # Working again after the fix: "everything is working again", "it works now".
        r"\b(?:it|everything|all|that)(?:'s|\s+is|\s+are)?\s+(?:now\s+)?(?:working|works|running)\s+(?:again|now|fine\s+now|properly\s+now)\b",
        r"\b(?:above\s+and\s+beyond|spot\s+on|top\s+notch|top-notch|first\s+class|second\s+to\s+none)\b",
        r"\byou(?:'re|\s+are)\s+(?:a\s+|the\s+)?(?:star|legend|hero|genius|champ|rock\s*star|lifesaver|best)\b",
        r"\byou\s+rock\b",
        r"\b(?:great|excellent|fantastic|brilliant|outstanding|superb|amazing|wonderful|fast|quick|prompt|speedy)\s+(?:service|support|job|help|response|reply|turnaround|fix|work)\b",
        r"\b(?:couldn't|could\s+not)\s+(?:be|have\s+been)\s+happier\b",
        r"\b(?:can't|cannot|can\s+not|couldn't|could\s+not)\s+thank\s+(?:you|y'all|you\s+guys|you\s+all)\s+enough\b",
        r"\b(?:happy|pleased|delighted|satisfied|thrilled)\s+with\s+(?:the\s+|your\s+|this\s+|how\s+)?(?:resolution|service|support|result|fix|outcome|help|answer|response|solution|it|quick)",
        r"\b(?:much|really|truly|greatly|very\s+much)\s+appreciated?\b",
        r"\bthank(?:s|\s+you)\s+(?:so|very)\s+much\b" + _NOT_FOR_NOTHING,
        r"\bthanks\s+a\s+(?:million|bunch|ton|lot)\b" + _NOT_FOR_NOTHING,
    ),
    # "I would recommend checking the logs" is advice, not a verdict, hence the object a verdict names.
    RECOMMENDS: (
        # "I highly recommend you restart" and "strongly recommend that you..." are advice.
        r"\b(?:highly|strongly|thoroughly|wholeheartedly)\s+"
        + _RECOMMEND
        + r"(?:ed)?\b(?!\s+that\s+you\b|\s+to\s+(?!anyone|anybody|everyone|everybody|all\b|others|friends|my\s|colleagues|people)\w|\s+you\s+(?!guys\b|all\b|and\b|to\s)\w)",
        r"\b(?:would|will|i'd|we'd)\s+(?:definitely\s+|certainly\s+|absolutely\s+|totally\s+)?"
        + _RECOMMEND
        + r"\s+"
        + _VERDICT_OBJECT
        + r"\b",
        r"\b"
        + _RECOMMEND
        + r"(?:ed)?\s+"
        + _VERDICT_OBJECT
        + r"\s+to\s+(?:anyone|anybody|everyone|everybody|all|others|friends|my\s+friends)\b",
        r"\b(?:can't|cannot|could\s+not|couldn't)\s+"
        + _RECOMMEND
        + r"\s+(?:\w+\s+){0,3}(?:enough|more\s+highly)\b",
        r"\b"
        + _WE
        + r"\s+(?:definitely\s+|certainly\s+|surely\s+|absolutely\s+)?(?:(?:be\s+back|come\s+back|be\s+coming\s+back|be\s+returning)"
        + _COMING_BACK
        + r"|buy\s+(?:it\s+|this\s+|from\s+(?:you|them)\s+)?again|use\s+(?:it\s+|them\s+|you\s+)?again|order\s+again)\b",
        r"\bworth\s+(?:every\s+(?:penny|cent)|the\s+(?:money|price|wait))\b",
        r"\b(?:better|faster|easier)\s+than\s+(?:i\s+|we\s+)?(?:expected|i\s+thought|anticipated)\b",
        r"\b(?:exceeded|surpassed)\s+(?:all\s+)?(?:my|our)\s+expectations\b",
        # A rating: "five stars", "10/10" written out; "3.5 stars" and "out of 5 stars" are not five stars.
        r"\b(?<![\d.,])(?<!out\sof\s)(?:five|5|ten|10)\s+stars\b",
        r"\b(?<![\d.,])(?:(?:five|5)\s+out\s+of\s+(?:five|5)|(?:ten|10)\s+out\s+of\s+(?:ten|10))\b(?![.,]\d)",
        r"\bno\s+complaints\b",
    ),
    # "stay away" and "avoid" only as a warning ("stay away!", "avoid at all costs"): "I stay away from
    # the beta builds" is a habit; "don't buy" only with what is bought ("I don't buy that argument").
    ADVISES_AGAINST: (
        r"\b"
        + _WONT
        + r"\s+(?:ever\s+)?"
        + _RECOMMEND
        + r"(?:\s+"
        + _VERDICT_OBJECT
        + r")?(?=\s*(?:[.!,;]|$)|\s+to\b)",
        r"\bnot\s+" + _RECOMMEND + r"ed\b",
        r"\b(?:don't|dont|do\s+not|never)\s+(?:ever\s+)?(?:buy|order)\s+(?:this|these|from|one\b|it(?=\s*(?:[.!]|$)))",
        r"\bwaste\s+of\s+(?:money|time|cash|my\s+time|your\s+time|my\s+money|your\s+money)\b",
        r"\bnot\s+worth\s+(?:it|the\s+(?:money|price|wait|trouble|hassle)|buying|a\s+penny|your|my)\b",
        r"\bstay\s+away(?:(?=\s*(?:[.!]|$))|\s+from\s+(?:this|these)\b)",
        r"\bavoid\s+(?:(?:it|this|them|this\s+\w+)\s+)?(?:at\s+all\s+costs|like\s+the\s+plague)\b",
        r"\bnever\s+again\b",
        r"\b"
        + _WE
        + r"\s+(?:won't|will\s+not|will\s+never|won't\s+ever|wouldn't|would\s+never|never|am\s+not|are\s+not|'m\s+not|'re\s+not|not)\s+(?:(?:be\s+(?:back|returning|coming\s+back)|coming\s+back|come\s+back|go(?:ing)?\s+back)"
        + _COMING_BACK
        + r"|buy(?:ing)?\s+(?:\w+\s+)?again|use\s+(?:\w+\s+)?again|order(?:ing)?\s+(?:\w+\s+)?again)\b",
        r"\b(?:won't|will\s+not|will\s+never|wouldn't|never)\s+(?:be\s+back|come\s+back|be\s+returning)"
        + _COMING_BACK,
        r"\b(?:worse|slower)\s+than\s+(?:i\s+|we\s+)?(?:expected|i\s+thought)\b",
        r"\b(?:i|we)\s+(?:returned|sent)\s+(?:it|this|them|the\s+\w+)\s+back\b",
        r"\b(?:i|we)\s+returned\s+(?:it|this|them)(?=\s*(?:[.!,;]|$)|\s+(?:and|for\s+a\s+refund|the\s+(?:next|same)\s+day|after|within)\b)",
        r"\b(?:want(?:ed)?|get|got|asked\s+for|demand(?:ed)?)\s+(?:my|our|a\s+full|a)\s+(?:money\s+back|refund)\b",
        r"\bpiece\s+of\s+(?:junk|crap|trash|garbage|shit)\b",
        r"\brip\s*-?\s*off\b",
        r"\boverpriced\b",
        r"\b(?<![\d.,])(?<!out\sof\s)(?:zero|0|one|1)\s+stars?\b",
        r"\b(?<![\d.,])(?:zero|0|one|1)\s+out\s+of\s+(?:five|5|ten|10)\b(?![.,]\d)",
    ),
}


# Words at least one of which every match of a signal's patterns contains (a word of each pattern that
# it cannot match without): a message with none of them cannot fire the signal, and most messages have
# none, so the search is skipped. tests/sentiment/test_signals.py checks that skipping never changes an
# answer, on the shared data's 73,000 texts.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# "recommend" and "recommended", as each spelling is written.
_RECOMMEND_WORDS = frozenset(w + suffix for w in _RECOMMEND_SPELLINGS for suffix in ("", "ed"))
_TRIGGERS: Mapping[str, frozenset[str]] = {
    CHASING: _words(
        "any there still waiting waited asked requested chased emailed mailed called phoned rung rang "
        "written wrote raised reported contacted mentioned followed second third fourth fifth umpteenth "
        "nth times again since nobody noone one heard had got gotten received taking takes took why "
        "been now reply response answer update news word follow following chasing when long hold "
        "waitin sixth st nd rd th anyone anybody someone somebody hello back keep keeps another "
        "persist persists remain remains continue continues same going checking eta change"
    ),
    LOST_WORK: _words(
        "work job unable losing lose lost costing cost wasted wasting down standstill stopped blocked "
        "dead idle can't cannot redo re start again deleted wiped erased blocking holding"
    ),
    BROKEN_PROMISE: _words(
        "promised told assured guaranteed said supposed meant never call callback missed broke broken nobody noone one "
        "fix solution workaround suggestion patch advice instructions"
    ),
    POOR_SERVICE: _words(
        "useless unhelpful rude dismissive incompetent clueless unprofessional hopeless "
        "pathetic condescending arrogant joke disgrace shambles nightmare appalling atrocious shocking "
        "helpful useful interested nothing wasting thanks closed "
        "nobody noone one why expected expecting hoped hoping"
    ),
    FRUSTRATED: _words(
        "fed sick tired enough end patience joke kidding joking crazy mad nuts insane wall straw "
        "escalate speak cancel complaint"
    ),
    PRAISE: _words(
        "helpful quick fast friendly patient knowledgeable courteous polite professional responsive "
        "prompt efficient kind thorough attentive supportive "
        "life lifesaver saved sorted fixed solved nailed works worked working back beyond spot top "
        "first second you're you service support job help response reply turnaround fix work happier running "
        "with appreciate appreciated much million bunch ton lot enough"
    ),
    RECOMMENDS: _RECOMMEND_WORDS
    | _words("back returning again worth better faster easier exceeded surpassed stars complaints out"),
    ADVISES_AGAINST: _RECOMMEND_WORDS
    | _words(
        "buy order waste worth away avoid again back returning returned sent refund piece rip ripoff worse slower "
        "overpriced stars star out"
    ),
}
# Words as the trigger sets spell them: an apostrophe only inside a word ("can't"), so a quoted
# "'useless'" is the word useless.
_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)*")
# Each pattern searched apart, only where it can match (regex_gate): most comments hold none of most
# patterns' words, and in one alternation of them all each is tried at every position of the text.
_SEARCHED: Mapping[str, tuple[GatedPattern, ...]] = {
    name: tuple(GatedPattern(p) for p in patterns) for name, patterns in _PATTERNS.items()
}
# Praise right after a negation ("not sorted it", "hasn't worked perfectly") is a complaint.
_NEGATED_PRAISE = re.compile(r"\b(?:not|never|no\s+longer|isn't|wasn't|hasn't|haven't)\s+(?:\w+\s+){0,2}$")
# A verdict wished for, supposed or denied in the same clause ("I wish your team was responsive", "if
# you're quick", "I'm not saying your support is useless") is not one.
_HEDGED = re.compile(
    r"\b(?:wish|wished|if|unless|hope|hoping|would\s+be\s+nice|(?:don't|do\s+not|didn't)\s+think|(?:wouldn't|would\s+not)\s+say|not\s+saying)\b[^.!?,;]{0,40}$"
)
# A verdict right after a negation is the other verdict or none: "wouldn't recommend it to anyone",
# "not worth every penny", "it's not a waste of money", "not overpriced at all".
_NEGATED_VERDICT = re.compile(r"\b(?:not|never|no|\w+n't|dont|wont|wouldnt|cannot)\s+(?:\w+\s+){0,2}$")
# "We are not losing money": a negation right before the match ("VPN not working so I can't work"
# negates something else).
_NEGATED_JUST_BEFORE = re.compile(r"\b(?:not|never|no\s+longer|\w+n't)\s+$")
# A verdict denied ("I would not say it's a waste of money"); unlike _HEDGED not "if": "if I could
# give zero stars I would" is the verdict.
_DENIED = re.compile(
    r"\b(?:(?:don't|do\s+not|didn't)\s+think|(?:wouldn't|would\s+not)\s+say|not\s+saying)\b(?:(?!\b(?:but|and|yet)\b)[^.!?,;]){0,40}$"
)
# Chasing declined or denied: "no need for any update", "you don't need to follow up", "I am not still
# waiting".
_NO_CHASE = re.compile(
    r"\b(?:(?:no\s+need\s+(?:for|to)|(?:don't|do\s+not|doesn't|does\s+not|won't|will\s+not)\s+need(?:\s+(?:to|an?|any))?)\s+(?:\w+\s+)?|(?<!can\s)not\s+|no\s+longer\s+)$"
)
# "If the fix does not work, ..." supposes; it reports nothing broken.
_CONDITIONAL = re.compile(r"\b(?:if|in\s+case|unless|should|when)\b[^.!?,;]{0,40}$")
# Matches of these signals just after one of these are skipped.
_GUARDS: Mapping[str, tuple[re.Pattern[str], ...]] = {
    CHASING: (_NO_CHASE,),
    LOST_WORK: (_NEGATED_JUST_BEFORE,),
    PRAISE: (_NEGATED_PRAISE, _HEDGED),
    POOR_SERVICE: (_HEDGED,),
    FRUSTRATED: (_NEGATED_JUST_BEFORE, _CONDITIONAL),
    RECOMMENDS: (_NEGATED_VERDICT, _HEDGED),
    ADVISES_AGAINST: (_NEGATED_VERDICT, _DENIED),
}
# "Since Monday" counts the days only when nothing in its clause says the time went well: "it has
# been working fine since Monday", "I am on leave since Monday".
_CONTENT_SINCE = re.compile(
    r"\b(?:(?:working|works|worked|running|been)\s+(?:fine|well|great|perfectly|smoothly|ok|okay|again)|on\s+(?:leave|holiday|vacation)|off\s+sick|out\s+of\s+(?:the\s+)?office)\b[^.!?,;]{0,60}$"
)
# Guards of one pattern, named by its group in _PATTERNS.
_GROUP_GUARDS: Mapping[str, re.Pattern[str]] = {
    "since": _CONTENT_SINCE,
    "fix": _CONDITIONAL,
    "again": _CONDITIONAL,
    "redo": _CONDITIONAL,
    "still": _CONDITIONAL,
    "still_there": _CONDITIONAL,
}
# Praise and verdicts asked about ("Is it back up and running?", "Is it worth the money?") are not
# given: a match whose clause ends in a question mark is skipped.
_ASKED_ABOUT = frozenset({PRAISE, RECOMMENDS})
# Praise conceded before a "but" ("Thanks for the quick reply, but that didn't help") is not given:
# the verdict is what follows.
_BUT_NEXT = re.compile(r"\s*but\b")
_CLAUSE_END = re.compile(r"(?:(?!\b(?:so|and|but)\b)[^.!?,;\n]){0,120}([.!?,;\n]|\b(?:so|and|but)\b)")
# Guards look back this far from a match (every guard above spans less but for words of absurd
# length): looking further made a long comment cost quadratic time, one search per match.
_GUARD_REACH = 200


def _normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def detect_signals(text: str) -> dict[str, tuple[str, float]]:
    """The signals in a (cleaned) message: {name: (the words that matched first, weight)}.

    Praise that is negated just before ("not sorted it", "hasn't worked like a charm") does not count,
    nor praise or a poor verdict on the service that is wished for, supposed or denied earlier in its
    clause ("if you're quick", "I'm not saying your support is useless"): `_GUARDS`.
    """
    lowered = _normalise(text)
    words = set(_WORDS.findall(lowered))
    found: dict[str, tuple[str, float]] = {}
    for name in _SEARCHED:
        if words.isdisjoint(_TRIGGERS[name]):
            continue
        match = first_match(name, lowered)
        if match is not None:
            found[name] = (match.group(0).strip(), SIGNAL_WEIGHTS[name])
    return found


def first_match(name: str, lowered: str) -> re.Match[str] | None:
    """The first match of the signal `name` in a normalised message that no guard denies.

    The earliest of its patterns' first such matches; of two at the same place, the pattern listed
    first (as one alternation of them all would choose).
    """
    best: re.Match[str] | None = None
    holds = lowered.__contains__
    for pattern in _SEARCHED[name]:
        # `GatedPattern.may_match`, inlined: a method call per pattern was a tenth of a score.
        required = pattern.required
        if required is not None and not any(map(holds, required)):
            continue
        match = pattern.search(lowered)
        # A match no earlier than the best so far cannot replace it, guarded or not.
        while match is not None and (best is None or match.start() < best.start()):
            if not _skipped(name, lowered, match):
                best = match
                break
            match = pattern.search(lowered, match.end())
    return best


def _skipped(name: str, lowered: str, match: re.Match[str]) -> bool:
    """Whether a guard denies this match of the signal `name` (see _GUARDS)."""
    start = match.start()
    reach = max(0, start - _GUARD_REACH)
    if any(guard.search(lowered, reach, start) for guard in _GUARDS.get(name, ())):
        return True
    for group, guard in _GROUP_GUARDS.items():
        named = group in match.re.groupindex and match.group(group) is not None
        if named and guard.search(lowered, reach, start):
            return True
    if name in _ASKED_ABOUT:
        clause = _CLAUSE_END.match(lowered, match.end())
        if clause is None:
            return False
        end = clause.group(1)
        if end == "?":
            return True
        if name == PRAISE and (end == "but" or (end == "," and _BUT_NEXT.match(lowered, clause.end()))):
            return True
    return False


def apply_signals(polarity: float, shift: float) -> float:
    """The polarity moved by the signals' summed weights, kept within [-1, 1]."""
    return max(-1.0, min(1.0, polarity + shift))
