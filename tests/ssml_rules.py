"""Alexa's SSML rules, checked over every response the tests produce."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

# Tags Alexa supports (Amazon's SSML reference); the skill itself uses few of them.
SUPPORTED_TAGS = {
    "speak", "p", "s", "break", "prosody", "emphasis", "say-as", "sub", "phoneme", "w",
    "lang", "voice", "audio", "amazon:effect", "amazon:emotion", "amazon:domain",
}
MAX_BREAK_SECONDS = 10.0
_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_PROSODY = {
    "rate": re.compile(r"^(x-slow|slow|medium|fast|x-fast|\d+%)$"),
    "volume": re.compile(r"^(silent|x-soft|soft|medium|loud|x-loud|[+-]\d+(\.\d+)?dB)$"),
    "pitch": re.compile(r"^(x-low|low|medium|high|x-high|[+-]\d+(\.\d+)?%)$"),
}
_SAY_AS = {"characters", "spell-out", "cardinal", "number", "ordinal", "digits", "fraction",
           "unit", "date", "time", "telephone", "address", "interjection", "expletive"}


def ssml_problems(ssml: str) -> list[str]:
    """Every way ``ssml`` breaks Alexa's rules (empty when it is fine)."""
    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError as error:
        return [f"not well-formed XML: {error}: {ssml!r}"]
    problems = []
    if root.tag != "speak":
        problems.append(f"root element is <{root.tag}>, not <speak>")
    for element in root.iter():
        if element.tag not in SUPPORTED_TAGS:
            problems.append(f"<{element.tag}> is not an Alexa SSML tag")
        if element.tag == "break":
            match = _TIME.match(element.get("time", "0s"))
            if not match:
                problems.append(f"break time {element.get('time')!r} is not like '2s' or '500ms'")
            else:
                seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
                if seconds > MAX_BREAK_SECONDS:
                    problems.append(f"break of {seconds}s is over Alexa's {MAX_BREAK_SECONDS}s limit")
        if element.tag == "prosody":
            for name, value in element.attrib.items():
                if name not in _PROSODY or not _PROSODY[name].match(value):
                    problems.append(f"prosody {name}={value!r} is not allowed")
            if "rate" in element.attrib and element.get("rate", "").endswith("%") and int(element.get("rate")[:-1]) < 20:
                problems.append("prosody rate below 20%")
        if element.tag == "say-as" and element.get("interpret-as") not in _SAY_AS:
            problems.append(f"say-as interpret-as={element.get('interpret-as')!r} is not supported")
    return problems
