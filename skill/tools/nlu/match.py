"""Text → intent + slots, using the interaction model's own samples.

``cramp-coach say``/``chat`` and the browser console have no Alexa in the loop, so this stands in
for Alexa's NLU: it reads the same ASK model the skill ships, so a phrase that works here is one
the model was written to hear. Matching goes from strict to forgiving:

1. exact sample, slots resolved against the slot type's values and synonyms;
2. exact sample, slot capturing any words (unresolved, like ``ER_SUCCESS_NO_MATCH``);
3. fuzzy: IDF-weighted token overlap plus a little difflib character similarity, against the
   samples that share a word with what she said (a slot counts as any of its values); below
   ``FUZZY_THRESHOLD``, or when her content words are mostly not the sample's ("tell me a
   joke"), it is ``AMAZON.FallbackIntent``.

Everything is indexed once per locale (dictionaries, not a regex per sample), so thousands of
expanded samples load in well under a second and a request costs a few milliseconds.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence

from skill.runtime.envelope import DEFAULT_LOCALE, SlotFill
from skill.runtime.resources import data_dir, interaction_model_path
from skill.tools.nlu.compile import (
    BUILTIN_PHRASES_FILE,
    _compile,
    _display_path,
    _idf_weights,
    _invocation_patterns,
    _read_json,
    _Sample,
    _SlotType,
)
from skill.tools.nlu.normalise import _FUNCTION_STEMS, _key, _strip_fillers, _tokens
from skill.tools.vocabulary import normalise


FALLBACK_INTENT = "AMAZON.FallbackIntent"
# Tuned on ~55 paraphrases of real questions (they score 0.51-0.97) and ~35 everyday Alexa
# requests (mostly 0.20-0.46); lexical near misses remain ("tell me a joke" → TellMeMoreIntent).
FUZZY_THRESHOLD = 0.5
TOKEN_SHARE = 0.75  # the rest of a fuzzy score is difflib character similarity
UNKNOWN_WORD_WEIGHT = 1.0  # times the rarest model word's weight: "jazz" counts against a match
CHAR_RATIO_CANDIDATES = 40  # only the best token matches get the (slower) character comparison
COMMON_POSTINGS = 1500  # a word in more samples than this is too common to pick candidates by
PRESELECTED = 300  # samples, ranked on her content words, that are then scored on all her words
TYPO_CUTOFF = 0.86  # "ibuprofin" is "ibuprofen" (0.89); "weather" is not "water" (0.83)
TYPO_MIN_LENGTH = 5
MAX_CAPTURED_WORDS = 4  # an open slot (step 2) takes a phrase, not a whole sentence
MAX_SLOT_SPANS = 6  # slot values looked for in one sentence when matching exactly
CONTENT_COVERAGE = 0.34  # share of her content words a fuzzy match must explain, else fallback

# "session_ended" is never understood from text: conversations use it for "she walked away".
Kind = Literal["launch", "intent", "session_ended"]
Method = Literal["exact", "fuzzy", "fallback", "launch", "session_ended"]

@dataclass(frozen=True)
class Understanding:
    """What she meant: a launch, or an intent with slots, and how sure the match was."""

    kind: Kind
    intent: Optional[str] = None
    slots: dict[str, SlotFill] = field(default_factory=dict)
    method: Method = "exact"
    score: float = 1.0
    matched_sample: Optional[str] = None
    one_shot: bool = False


class LocalUnderstanding:
    """Understands typed or transcribed text the way the shipped interaction model would."""

    _cache: dict[str, "LocalUnderstanding"] = {}

    def __init__(
        self,
        *,
        invocation_name: str,
        intent_slots: Mapping[str, Mapping[str, str]],
        slot_types: Mapping[str, _SlotType],
        samples: Sequence[_Sample],
        locale: str = DEFAULT_LOCALE,
    ) -> None:
        self.locale = locale
        self.invocation_name = invocation_name
        self._intent_slots = {intent: dict(slots) for intent, slots in intent_slots.items()}
        self._slot_types = dict(slot_types)
        self._samples = tuple(samples)
        self._by_skeleton: dict[str, list[_Sample]] = {}
        for sample in self._samples:
            self._by_skeleton.setdefault(sample.skeleton(), []).append(sample)
        self._with_slots = tuple(sample for sample in self._samples if sample.slot_types)
        self._weights = _idf_weights(self._samples)
        self._postings: dict[str, list[int]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for index, sample in enumerate(self._samples):
            if (sample.intent, sample.tokens) in seen:
                continue  # the same words in another order score the same; the first stands for all
            seen.add((sample.intent, sample.tokens))
            for token in sample.tokens:
                self._postings.setdefault(token, []).append(index)
        self._token_sets = tuple(frozenset(sample.tokens) for sample in self._samples)
        self._totals = tuple(sum(self._weights[t] for t in sample.tokens) for sample in self._samples)
        self._unknown_weight = UNKNOWN_WORD_WEIGHT * max(self._weights.values(), default=1.0)
        self._type_words = {name: {token for phrase in kind.phrases for token in _tokens(phrase)}
                            for name, kind in self._slot_types.items()}
        self._vocabulary = sorted(self._weights)
        self._launch, self._one_shot = _invocation_patterns(invocation_name)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def for_locale(cls, locale: str = DEFAULT_LOCALE) -> "LocalUnderstanding":
        """The shipped model for ``locale`` and the local built-in phrases, loaded once."""
        if locale not in cls._cache:
            model_path = interaction_model_path(locale)
            builtins_path = data_dir("interaction_models") / BUILTIN_PHRASES_FILE
            model = _read_json(model_path, f"the interaction model for {locale}")
            builtins = _read_json(builtins_path, "the local built-in intent phrases")
            cls._cache[locale] = cls.from_model(
                model, builtins, locale=locale, source=_display_path(model_path),
                builtins_source=_display_path(builtins_path),
            )
        return cls._cache[locale]

    @classmethod
    def from_model(
        cls,
        model: Mapping[str, Any],
        builtin_phrases: Optional[Mapping[str, Sequence[str]]] = None,
        *,
        locale: str = DEFAULT_LOCALE,
        source: str = "model",
        builtins_source: str = "built-in phrases",
    ) -> "LocalUnderstanding":
        """Compile an ASK model dict (whole file or just ``languageModel``) plus built-in phrases.

        Built-in phrases count only for intents the model declares: Alexa sends no others.
        """
        return _compile(cls, model, builtin_phrases or {}, locale, source, builtins_source)

    # -- queries --------------------------------------------------------------------------------

    @property
    def intents(self) -> list[str]:
        """Intent names in model order."""
        return list(self._intent_slots)

    def slot_names(self, intent: str) -> list[str]:
        """Every slot ``intent`` declares, so a request carries unfilled slots as Alexa's does."""
        return list(self._intent_slots.get(intent, {}))

    def understand(self, text: str) -> Understanding:
        """Map what she said to a launch or an intent; never raises for odd input."""
        said = normalise(text)
        if not said or self._launch.fullmatch(said):
            return Understanding(kind="launch", method="launch")
        one_shot = self._one_shot.fullmatch(said)
        if one_shot:
            rest = one_shot.group("rest") or ""
            if not rest.strip():
                return Understanding(kind="launch", method="launch")
            return replace(self._understand_request(rest.strip()), one_shot=True)
        return self._understand_request(said)

    # -- matching -------------------------------------------------------------------------------

    def _understand_request(self, said: str) -> Understanding:
        stripped = _strip_fillers(said)
        texts = [said] if stripped == said else [said, stripped]
        for exact in (self._exact_resolved, self._exact_open):
            for text in texts:
                found = exact(text)
                if found:
                    return found
        return self._fuzzy(stripped)

    def _exact_resolved(self, text: str) -> Optional[Understanding]:
        """A sample said word for word, each slot holding one of its type's values or synonyms."""
        best: Optional[tuple[_Sample, tuple[str, ...]]] = None
        for skeleton, spoken in self._skeletons(text):
            for sample in self._by_skeleton.get(skeleton, ()):
                if best is None or sample.order < best[0].order:
                    best = (sample, spoken)
                break  # samples under one skeleton are in model order
        if best is None:
            return None
        sample, spoken = best
        slots = {name: self._slot_types[type_name].resolve(said)
                 for (_, name), type_name, said in zip(sample.groups, sample.slot_types, spoken)}
        return Understanding(kind="intent", intent=sample.intent, slots=slots, method="exact", score=1.0,
                             matched_sample=sample.original)

    def _skeletons(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """``text`` with none, one or two of the slot values it names replaced by ``{Type}``."""
        spans = []
        for type_name, slot_type in self._slot_types.items():
            if slot_type.finder is None:
                continue
            for match in itertools.islice(_all_matches(slot_type.finder, text), MAX_SLOT_SPANS):
                spans.append((match[0], match[1], type_name))
        spans.sort()
        found = [(_key(text), ())]
        for size in (1, 2):
            for chosen in itertools.combinations(spans, size):
                if any(chosen[i][1] > chosen[i + 1][0] for i in range(len(chosen) - 1)):
                    continue  # overlapping values
                pieces, spoken, position = [], [], 0
                for start, end, type_name in chosen:
                    pieces += [text[position:start], "{" + type_name + "}"]
                    spoken.append(text[start:end])
                    position = end
                pieces.append(text[position:])
                found.append((_key("".join(pieces)), tuple(spoken)))
        return found

    def _exact_open(self, text: str) -> Optional[Understanding]:
        words = set(_key(text).split())
        best: Optional[tuple[int, int, re.Match[str], _Sample]] = None
        for sample in self._with_slots:
            if not sample.literal <= words:
                continue
            pattern = sample.open_pattern()
            match = pattern.fullmatch(text) if pattern else None
            if not match:
                continue
            lengths = [len(match.group(group).split()) for group, _ in sample.groups]
            if max(lengths) > MAX_CAPTURED_WORDS or self._overreaches(sample, match):
                continue
            rank = (sum(lengths), sample.order)
            if best is None or rank < best[:2]:
                best = (*rank, match, sample)
        if best is None:
            return None
        sample, match = best[3], best[2]
        slots = {slot: self._slot_types[self._intent_slots[sample.intent][slot]].resolve(match.group(group))
                 for group, slot in sample.groups}
        return Understanding(kind="intent", intent=sample.intent, slots=slots, method="exact", score=1.0,
                             matched_sample=sample.original)

    def _overreaches(self, sample: _Sample, match: re.Match[str]) -> bool:
        """An open slot takes an unknown name, not the words of another request.

        "ugh my {bodyPart}" must not take "calf is killing me" (a value inside means more words),
        and "i've had {medicine}" must not take "a little spotting today" (words the model knows
        from other samples, a symptom here, are not a medicine's name).
        """
        for group, slot in sample.groups:
            type_name = self._intent_slots[sample.intent][slot]
            slot_type = self._slot_types[type_name]
            captured = match.group(group)
            if slot_type.resolve(captured).resolved_id is None and slot_type.find(captured):
                return True
            if slot_type.custom and any(token in self._weights and token not in self._type_words[type_name]
                                        for token in _tokens(captured) if token not in _FUNCTION_STEMS):
                return True
        return False

    def _fuzzy(self, text: str) -> Understanding:
        fallback = Understanding(kind="intent", intent=FALLBACK_INTENT, method="fallback", score=0.0)
        tokens = _tokens(text)
        if not tokens or not self._samples:
            return fallback
        aliases = {token: self._aliases(token) for token in set(tokens)}
        for type_name, slot_type in self._slot_types.items():
            spoken = slot_type.find(text)
            if spoken:  # a value she named also counts as the slot itself
                for token in _tokens(spoken):
                    aliases[token] = aliases[token] | {"{" + type_name + "}"}
        weights = {token: self._text_weight(token, aliases[token]) for token in aliases}
        total = sum(weights[token] for token in tokens)
        counts = {token: tokens.count(token) for token in aliases}
        known = set().union(*aliases.values())

        # Candidates share a content word with her (or any word, when she used none); the
        # common words ("i", "my") then only add to those candidates' scores.
        # 1. Samples that share a content word with her (any word, when she used none), ranked
        #    by those words alone; 2. the best of them scored on every word; 3. the character
        #    comparison, skipped wherever even a perfect one could not win.
        content = [t for t in aliases if t not in _FUNCTION_STEMS] or list(aliases)
        content_total = sum(weights[t] * counts[t] for t in content)
        # A word in most samples ("cramp") picks no candidates while rarer words of hers do.
        rare = [t for t in content if min(len(self._postings.get(n, ())) for n in aliases[t]) <= COMMON_POSTINGS]
        content = rare or content
        text_hits: dict[int, float] = {}
        sample_hits: dict[int, float] = {}
        for token in content:
            hit: set[int] = set()
            for name in aliases[token]:
                postings = self._postings.get(name, ())
                hit.update(postings)
                for index in postings:
                    sample_hits[index] = sample_hits.get(index, 0.0) + self._weights[name]
            for index in hit:
                text_hits[index] = text_hits.get(index, 0.0) + weights[token] * counts[token]
        rough = []
        for index, text_weight in text_hits.items():
            precision = text_weight / content_total
            recall = min(1.0, sample_hits[index] / self._totals[index]) if self._totals[index] else 0.0
            rough.append((2 * precision * recall / (precision + recall), -self._samples[index].order, index))
        scored = []
        for _, negative_order, index in heapq.nlargest(PRESELECTED, rough):
            sample_tokens = self._token_sets[index]
            text_weight = sum(weights[t] * counts[t] for t in aliases if not aliases[t].isdisjoint(sample_tokens))
            sample_weight = sum(self._weights[name] for name in known if name in sample_tokens)
            precision = text_weight / total
            recall = min(1.0, sample_weight / self._totals[index]) if self._totals[index] else 0.0
            if precision + recall:
                scored.append((2 * precision * recall / (precision + recall), negative_order, index))

        key = _key(text)
        best: tuple[float, int, Optional[_Sample]] = (0.0, 0, None)
        for token_score, negative_order, index in heapq.nlargest(CHAR_RATIO_CANDIDATES, scored):
            order = -negative_order
            if best[2] is not None and TOKEN_SHARE * token_score + (1 - TOKEN_SHARE) < best[0]:
                break  # sorted by token score: no later candidate can win either
            sample = self._samples[index]
            matcher = difflib.SequenceMatcher(None, key, self._filled_key(sample, text), autojunk=False)
            if best[2] is not None and TOKEN_SHARE * token_score + (1 - TOKEN_SHARE) * matcher.quick_ratio() < best[0]:
                continue
            score = TOKEN_SHARE * token_score + (1 - TOKEN_SHARE) * matcher.ratio()
            if best[2] is None or (score, -order) > (best[0], -best[1]):
                best = (score, order, sample)
        score, _, sample = best
        if sample is None or score < FUZZY_THRESHOLD or not self._explains(sample, tokens, aliases, weights):
            return replace(fallback, score=round(score, 3))
        return Understanding(
            kind="intent", intent=sample.intent, slots=self._scan_slots(sample.intent, text),
            method="fuzzy", score=round(score, 3), matched_sample=sample.original,
        )

    def _explains(self, sample: _Sample, tokens: tuple[str, ...], aliases: Mapping[str, set[str]],
                  weights: Mapping[str, float]) -> bool:
        """Most of what she asked about (her content words) must be in the sample she matched."""
        content = [token for token in tokens if token not in _FUNCTION_STEMS]
        if not content:
            return True
        known = set(sample.tokens)
        covered = sum(weights[token] for token in content if aliases[token] & known)
        return covered > 0 and covered >= CONTENT_COVERAGE * sum(weights[token] for token in content)

    def _filled_key(self, sample: _Sample, text: str) -> str:
        """The sample as words, each slot filled with the value she named (or the type's first)."""
        types = iter(sample.slot_types)
        words = []
        for kind, value in sample.parts:
            if kind == "text":
                words.append(value)
            else:
                slot_type = self._slot_types[next(types)]
                words.append(slot_type.find(text) or (slot_type.display[0][0] if slot_type.display else ""))
        return _key(" ".join(word for word in words if word))

    def _aliases(self, token: str) -> set[str]:
        if token in self._weights or len(token) < TYPO_MIN_LENGTH:
            return {token}
        close = difflib.get_close_matches(token, self._vocabulary, n=3, cutoff=TYPO_CUTOFF)
        return {token, *close}

    def _text_weight(self, token: str, aliases: set[str]) -> float:
        known = [self._weights[alias] for alias in sorted(aliases) if alias in self._weights]
        return max(known) if known else self._unknown_weight

    def _scan_slots(self, intent: str, text: str) -> dict[str, SlotFill]:
        """After a fuzzy match, fill the intent's slots from any value she named anywhere."""
        slots: dict[str, SlotFill] = {}
        for slot, type_name in self._intent_slots.get(intent, {}).items():
            slot_type = self._slot_types[type_name]
            spoken = slot_type.find(text)
            if spoken and all(fill.spoken != spoken for fill in slots.values()):
                slots[slot] = slot_type.resolve(spoken)
        return slots


def _all_matches(finder: re.Pattern[str], text: str) -> Iterable[tuple[int, int]]:
    """The longest value starting at each word, so both "lower back" and "back" are seen."""
    for start in [0] + [i + 1 for i, char in enumerate(text) if char == " "]:
        match = finder.match(text, start)
        if match:
            yield match.start(), match.end()
