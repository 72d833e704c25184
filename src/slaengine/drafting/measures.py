"""Period measures (系统可用率不低于99.5%, 满意度不低于95%, 一次修复率) and contacts (phones,
e-mail addresses, named roles) stated in a tender.

Theory of operation: a sentence naming a measure (vocabulary ``MEASURES``) with a percentage is a
measure held at least to that percentage — every measure the draft writes is a floor (不低于, ≥,
at least); its period is the month, quarter or contract year the sentence names, the month when it
names none (and that is listed as an assumption). A sentence with a phone number or an e-mail
address is a contact: its role (服务热线, 项目经理, support hotline) names it; the contact is
alerted through the log (a phone number is no alert channel) and by e-mail when an address is
given.
"""

from __future__ import annotations

import re
from typing import Any

from slaengine.drafting.clauses import percent
from slaengine.drafting.figures import percents
from slaengine.drafting.responses import shape_near
from slaengine.drafting.text import Sentence, unnumbered
from slaengine.drafting.vocabulary import EMAIL, MEASURE_PERIODS, MEASURES, PHONE, ROLE

_CEILING = re.compile(
    r"不超过|不高于|(?<!不)(?<!不得)(?<!不应)(?<!不能)低于|(?<!不)小于|≤|<|at most|no more than"
    r"|(?<!not )(?<!not fall )(?<!not drop )(?<!never fall )(?<!not be )below"
    # "shall not be less than 95%", "should never be less than": a floor, said the other way
    r"|(?<!no )(?<!not )(?<!not be )(?<!never be )(?<!not fall )less than",
    re.I,
)


def find_measure(sentence: Sentence) -> tuple[dict[str, Any], str | None] | None:
    """A measure and, when its period had to be assumed, the note saying so."""
    plain = sentence.plain
    kind = next((k for k, words in MEASURES if words.search(plain)), None)
    shares = percents(plain)
    if kind is None or not shares:
        return None
    at = next(w for k, w in MEASURES if k == kind).search(plain)
    assert at is not None
    after = [p for p in shares if p.start > at.start()] or shares
    share = after[0]
    if _CEILING.search(plain[at.end() : share.start]) and kind != "repeat_faults":
        return None  # "故障率不超过1%": a ceiling on a figure the language holds as a floor
    period = next((p for words, p in MEASURE_PERIODS if words.search(plain)), None)
    name = unnumbered(plain).strip()
    data: dict[str, Any] = {
        "id": kind.replace("_", "-"),
        "name": {"zh" if re.search(r"[\u4e00-\u9fff]", name) else "en": name},
        "kind": kind,
        "period": period or "month",
        "target": percent(share.value),
    }
    if kind == "on_time_rate":
        named = shape_near(plain, at.start(), (0, len(plain)))
        data["shape"] = named.shape if named else None
    note = None
    if period is None:
        note = f"{data['id']}: the tender names no period for this measure; a month is assumed"
    return data, note


def find_contact(sentence: Sentence) -> dict[str, Any] | None:
    plain = sentence.plain
    phones = PHONE.findall(plain)
    emails = EMAIL.findall(plain)
    if not phones and not emails:
        return None
    role = ROLE.search(plain)
    label = role.group(0) if role else "contact"
    channels: list[dict[str, Any]] = [{"kind": "log"}]
    if emails:
        channels.append({"kind": "email", "to": emails})
    chinese = bool(re.search(r"[\u4e00-\u9fff]", label))
    # two numbers of one line kept apart ("+254 722 614 093, 051 221 4780"), never run into
    # one number when the name is read again
    joiner = "、" if chinese else ", "
    return {
        "role": label,
        # "热线：2345 6789": the number after a colon, as a bare local number is written
        "name": {
            "zh" if chinese else "en": f"{label}{'：' if chinese else ':'} {joiner.join(phones)}"
        }
        if phones
        else {"zh" if chinese else "en": label},
        "phones": phones,
        "emails": emails,
        "lang": "zh" if chinese else "en",
        "channels": channels,
    }
