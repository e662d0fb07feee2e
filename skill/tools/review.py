"""``cramp-coach review``: the whole skill on paper, for a midwife or doctor to sign off.

One printable HTML page: every intent with example utterances, every answer as Alexa speaks
it (with its caution and doctor line as composed by the skill's own code), the article section
each comes from, whether the doctor line is there, and a sign-off box. Everything is escaped.
"""

from __future__ import annotations

import datetime
import html
import json
import random
from pathlib import Path
from typing import Any, Mapping, Optional

from skill import __version__

from skill.tools import models

from skill.runtime import speech
from skill.runtime.content import TIERS, Content, Line, Topic, load_content
from skill.runtime.reminder_words import ReminderWords, load_reminder_words
from skill.runtime.replies import Reply, Voice
from skill.runtime.resources import data_dir
from skill.runtime.screens import plain_text

EXAMPLE_UTTERANCES = 8
"""How many sample utterances to print for each intent (the rest are counted)."""

SECTION_NAMES = {
    "intro": "Introduction",
    "first": "First (warmth, rest, massage)",
    "second": "Second (food and drink)",
    "third": "Third (when a cramp comes)",
    "precautions": "Precautions",
    "safety": "Safety line (beyond the article)",
}

_STYLE = """
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; margin: 2cm; color: #111; }
h1 { font-size: 20pt; margin-bottom: 0; } h2 { font-size: 15pt; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 12.5pt; margin-bottom: .3em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #bbb; padding: .3em .45em; vertical-align: top; text-align: left; }
th { background: #eee; } .meta { color: #444; } .spoken { font-style: italic; }
.no { color: #a00; font-weight: bold; } .yes { color: #060; font-weight: bold; }
ul { margin: .2em 0; padding-left: 1.2em; } .item { break-inside: avoid; page-break-inside: avoid; }
.signoff { border: 2px solid #111; padding: 1em; margin-top: 2em; break-inside: avoid; page-break-inside: avoid; }
.signoff td { height: 2.2em; } .box { display: inline-block; width: 1em; height: 1em; border: 1px solid #111; margin-right: .4em; }
@media print { body { margin: 0; } h2 { break-after: avoid; page-break-after: avoid; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _variants(line: Optional[Line]) -> str:
    if line is None:
        return "—"
    if len(line.variants) == 1:
        return _e(line.variants[0])
    return "<ul>" + "".join(f"<li>{_e(v)}</li>" for v in line.variants) + "</ul>"


def _spoken(reply: Reply) -> str:
    return plain_text(speech.wrap(reply.speech))


def _length(reply: Reply) -> str:
    """How long she listens: spoken words, and seconds at a calm pace with every pause."""
    words = speech.word_count(speech.ssml_to_text(speech.wrap(reply.speech)))
    return f'<br><span class="meta">{words} words, about {speech.spoken_seconds(reply.speech):.0f} s</span>'


def _doctor_cell(present: bool, why: str) -> str:
    mark = '<span class="yes">yes</span>' if present else '<span class="no">no</span>'
    return f"{mark} — {_e(why)}"


def build_review(
    content: Optional[Content] = None, today: Optional[datetime.date] = None,
    reminder_words: Optional[ReminderWords] = None,
) -> str:
    """The review page as HTML text."""
    content = content or load_content()
    voice = Voice(content, random.Random(0))
    model = json.loads(models.model_path("en-US").read_text(encoding="utf-8"))
    local_built_ins = json.loads((data_dir("interaction_models") / "local-builtins.json").read_text(encoding="utf-8"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Cramp Coach {_e(__version__)} — clinical review</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Cramp Coach {_e(__version__)} — everything the skill says</h1>",
        f'<p class="meta">Printed {_e((today or datetime.date.today()).isoformat())} for clinical review. '
        "Each answer is shown as Alexa speaks it; where a line has several wordings, Alexa picks one, "
        "and every wording is listed. The article sections refer to the one health article all advice "
        "comes from; “safety” lines go beyond it.</p>",
    ]
    parts += _intents_section(content, model, local_built_ins)
    parts += _tiers_section(content, Voice(content, random.Random(0)))  # its own, so the Answers keep their wordings
    parts += _topics_section(content, voice)
    parts += _walkthrough_section(content, voice)
    parts += _lines_section(content, "Conversation lines", "What Alexa says around the advice.", content.prompts)
    parts += _lines_section(content, "Offers", "The one short question that ends an answer.", content.offers)
    parts += _lines_section(content, "Safety lines", "Doctor lines and cautions.", content.safety)
    parts += _reminder_section(content, reminder_words or load_reminder_words())
    parts += _signoff()
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _intents_section(content: Content, model: dict[str, Any], local_built_ins: dict[str, list[str]]) -> list[str]:
    source = models.load_source()
    entries = [entry for intent in source["intents"].values() for entry in intent.get("samples", [])]
    entries += [entry for values in source["types"].values() for value in values for entry in value.get("synonyms", [])]
    only = {entry["say"]: entry["only"] for entry in entries if isinstance(entry, dict)}
    rows = []
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        name = intent["name"]
        topic = content.topic_for_intent(name)
        # What people wrote (patterns read better than their sorted expansion), then how many Alexa hears.
        written = models.hand_written(name, models.locales(source)[0], source) if name in source["intents"] else []
        samples = written or intent.get("samples") or local_built_ins.get(name, [])
        shown = ", ".join(f"“{_e(s)}”" for s in samples[:EXAMPLE_UTTERANCES])
        more = len(samples) - EXAMPLE_UTTERANCES
        if more > 0:
            shown += f" <span class=\"meta\">and {more} more</span>"
        if written:
            shown += f" <span class=\"meta\">({len(intent.get('samples', []))} samples once expanded)</span>"
        if not samples:
            shown = '<span class="meta">anything the skill does not cover</span>'
        answers = _e(topic.title) if topic else '<span class="meta">skill control</span>'
        rows.append(f"<tr><td>{_e(name)}</td><td>{answers}</td><td>{shown}</td></tr>")
    locale_rows = "".join(
        f"<tr><td>“{_e(say)}”</td><td>{_e(', '.join(locales))}</td></tr>" for say, locales in only.items()
    )
    return [
        "<h2>What she can say</h2>",
        "<p>Every intent of the interaction model (en-US), with example utterances.</p>",
        "<table><tr><th>Intent</th><th>Answered with</th><th>Example utterances</th></tr>",
        *rows,
        "</table>",
        "<h3>Said only in some countries</h3>",
        "<table><tr><th>Utterance or word</th><th>Locales</th></tr>", locale_rows, "</table>",
    ]


def _tiers_section(content: Content, voice: Voice) -> list[str]:
    """The three escalation tiers: what triggers each, and what she hears first and after."""
    out = [
        "<h2>Escalation: when she is told to get help</h2>",
        "<p>Checked before any advice. Tiers 1 and 2 make urgency stick for the rest of the session: "
        "stop, cancel, no, “is this an emergency” or “should I go to the hospital” repeat the short urgent "
        "line instead of a goodbye. Anything the skill does not understand ends with the safety net:</p>",
        _variants(content.safety["safety_net"]),
        "<table><tr><th>Tier</th><th>Triggers (intent)</th><th>Said first</th><th>Answers as spoken</th>"
        "<th>Repeated for the rest of the session</th></tr>",
    ]
    for topic in content.tiers():
        spoken = "".join(
            f"<p class=\"spoken\">{_e(_spoken(reply))}</p>"  # lengths: in the Answers section
            for reply in (voice.answer(topic, index) for index in range(len(topic.answers)))
        )
        triggers = "<ul>" + "".join(f"<li>{_e(t)}</li>" for t in topic.triggers) + "</ul>"
        out.append(
            f'<tr class="item"><td>{topic.tier}: {_e(TIERS[topic.tier])}<br>{_e(topic.title)}</td>'
            f'<td>{triggers}<span class="meta">{_e(topic.intent or "")}</span></td>'
            f"<td>{_variants(topic.lead)}</td><td>{spoken}</td>"
            f"<td>{_variants(topic.short) if topic.short else 'not sticky'}</td></tr>"
        )
    out.append("</table>")
    return out


def _topics_section(content: Content, voice: Voice) -> list[str]:
    out = ["<h2>Answers</h2>"]
    for topic in content.topics.values():
        flags = [f for f, on in (("symptom", topic.symptom), ("urgent", topic.urgent), ("bedtime voice", topic.calm)) if on]
        out.append(f'<div class="item"><h3>{_e(topic.title)}</h3>')
        out.append(f'<p class="meta">Intent: {_e(topic.intent or "reached by body part")}'
                   f"{' · ' + _e(', '.join(flags)) if flags else ''}</p>")
        out.append("<table><tr><th>#</th><th>As spoken</th><th>Parts</th><th>Article section</th>"
                   "<th>Doctor line</th></tr>")
        for index, answer in enumerate(topic.answers):
            reply = voice.answer(topic, index)
            spoken = _spoken(reply)
            present, why = _doctor_status(content, topic, answer.line, spoken)
            parts = [f"<b>Answer:</b> {_variants(answer.line)}"]
            if topic.lead:
                parts.insert(0, f"<b>Said first:</b> {_variants(topic.lead)}")
            if answer.caution:
                parts.append(f"<b>Caution:</b> {_variants(answer.caution)}")
            if answer.doctor_line:
                parts.append(f"<b>Doctor line:</b> {_variants(answer.doctor_line)}")
            parts.append(f"<b>Ends with:</b> {_variants(content.offers[answer.offer])}")
            sources = _sources(answer.line, answer.caution, answer.doctor_line)
            out.append(f"<tr><td>{index + 1}</td><td class=\"spoken\">{_e(spoken)}{_length(reply)}</td>"
                       f"<td>{'<br>'.join(parts)}</td><td>{sources}</td>"
                       f"<td>{_doctor_cell(present, why)}</td></tr>")
        out.append("</table></div>")
    return out


def _doctor_status(content: Content, topic: Topic, line: Line, spoken: str) -> tuple[bool, str]:
    present = content.doctor_phrase in spoken.lower()
    if not topic.symptom:
        return present, "not about a symptom"
    if topic.lead:
        return present, "urgent or escalation line spoken first"
    if content.doctor_phrase in line.variants[0].lower():
        return present, "the answer itself names the doctor or midwife"
    return present, "doctor line added after the answer"


def _sources(*lines: Optional[Line]) -> str:
    names = []
    for line in lines:
        if line is not None and SECTION_NAMES[line.source] not in names:
            names.append(SECTION_NAMES[line.source])
    return "<br>".join(_e(n) for n in names)


def _walkthrough_section(content: Content, voice: Voice) -> list[str]:
    walkthrough = content.walkthrough
    out = ["<h2>Guided stretch</h2>",
           "<table><tr><th>Step</th><th>As spoken</th><th>Hold / pause</th><th>Article section</th></tr>"]
    for index, step in enumerate(walkthrough.steps):
        reply = voice.step(index)
        spoken = _spoken(reply)
        timing = ", ".join(t for t in (f"hold {step.hold_seconds} s" if step.hold_seconds else "",
                                       f"pause {step.pause_seconds} s" if step.pause_seconds else "") if t) or "—"
        out.append(f"<tr class=\"item\"><td>{index + 1}</td><td class=\"spoken\">{_e(spoken)}{_length(reply)}"
                   f"<br><span class=\"meta\">Instruction: {_variants(step.line)}</span></td>"
                   f"<td>{_e(timing)}</td><td>{_sources(step.line)}</td></tr>")
    out.append("</table>")
    out += _lines_section(content, None, "Around the steps (start, hold count, recap, pause, stop).", walkthrough.lines)
    return out


def _lines_section(content: Content, title: Optional[str], note: str, lines: Mapping[str, Line]) -> list[str]:
    out = [f"<h2>{_e(title)}</h2>"] if title else []
    out.append(f"<p>{_e(note)}</p>")
    out.append("<table><tr><th>Key</th><th>Wordings</th><th>Article section</th><th>Doctor line</th></tr>")
    for name, line in lines.items():
        has = any(content.doctor_phrase in v.lower() for v in line.variants)
        mark = '<span class="yes">yes</span>' if has else "—"
        out.append(f"<tr class=\"item\"><td>{_e(name)}</td><td>{_variants(line)}</td>"
                   f"<td>{_sources(line)}</td><td>{mark}</td></tr>")
    out.append("</table>")
    return out


def _reminder_section(content: Content, words: ReminderWords) -> list[str]:
    """The nightly reminder as her Echo says it, then the lines around setting it."""
    out = ["<h2>Nightly bedtime reminder</h2>",
           "<p>With her permission, one daily Alexa reminder at the time she chooses. At that time her Echo "
           "says one bedtime tip, then the invitation to the guided stretch.</p>",
           "<table><tr><th>Part</th><th>Wordings</th><th>Article section</th><th>Doctor line</th></tr>"]
    for name, line in (("tip", words.tip), ("invitation", words.invitation)):
        out.append(f"<tr class=\"item\"><td>{_e(name)}</td><td>{_variants(line)}</td>"
                   f"<td>{_sources(line)}</td><td>—</td></tr>")
    out.append("</table>")
    return out + _lines_section(content, None, "Setting, reading, changing and cancelling it.", words.lines)


def _signoff() -> list[str]:
    return [
        '<div class="signoff"><h2>Clinical sign-off</h2>',
        "<p>I have read every answer above as it will be spoken, and the conditions under which the "
        "skill tells her to contact her doctor or midwife.</p>",
        '<p><span class="box"></span>Approved as written &nbsp;&nbsp; '
        '<span class="box"></span>Approved with the changes noted below &nbsp;&nbsp; '
        '<span class="box"></span>Not approved</p>',
        "<table><tr><th style=\"width:30%\">Name</th><td></td></tr>",
        "<tr><th>Role and registration number</th><td></td></tr>",
        "<tr><th>Signature</th><td></td></tr>",
        "<tr><th>Date</th><td></td></tr>",
        '<tr><th>Changes needed</th><td style="height:8em"></td></tr></table></div>',
    ]


def write_review(out_path: Path, content: Optional[Content] = None) -> None:
    """Write the review page to ``out_path``."""
    out_path.write_text(build_review(content), encoding="utf-8")
