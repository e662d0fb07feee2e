"""The skill package the ASK CLI deploys: ``skill-package/skill.json`` and every locale's model.

The listing's words live in ``content/listing.yaml``; the decisions (category, privacy answers,
countries, screens) are named here beside the rule from Amazon's documentation each one meets,
and ``manifest_problems`` holds a manifest to every one of those rules.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Container, Mapping, Optional
from urllib.parse import urlparse

from skill.tools import models
from skill.runtime.content import ContentError, read_yaml_mapping
from skill.tools.model_rules import INVOCATION_NAME, SpokenSamples
from skill.tools.vocabulary import ASK_WORDS, CONNECTING_WORDS, OPEN_WORDS, WAKE_WORD, normalize
from skill.runtime.resources import content_dir

LISTING_FILE = "listing.yaml"
PUBLISH_ASSETS = Path(__file__).resolve().parent / "publish_assets"
MANIFEST_VERSION = "1.0"

# "Skill Manifest Schema", category enumeration. There is no MEDICAL category; a skill of
# general health information for pregnant women belongs under health and fitness.
CATEGORY = "HEALTH_AND_FITNESS"
CATEGORIES = (
    "ALARMS_AND_CLOCKS", "ASTROLOGY", "BUSINESS_AND_FINANCE", "CALCULATORS", "CALENDARS_AND_REMINDERS",
    "CHILDRENS_EDUCATION_AND_REFERENCE", "CHILDRENS_GAMES", "CHILDRENS_MUSIC_AND_AUDIO",
    "CHILDRENS_NOVELTY_AND_HUMOR", "COMMUNICATION", "CONNECTED_CAR", "COOKING_AND_RECIPE",
    "CURRENCY_GUIDES_AND_CONVERTERS", "DATING", "DELIVERY_AND_TAKEOUT", "DEVICE_TRACKING",
    "EDUCATION_AND_REFERENCE", "EVENT_FINDERS", "EXERCISE_AND_WORKOUT", "FASHION_AND_STYLE",
    "FLIGHT_FINDERS", "FRIENDS_AND_FAMILY", "GAME_INFO_AND_ACCESSORY", "GAMES", "HEALTH_AND_FITNESS",
    "HOTEL_FINDERS", "KNOWLEDGE_AND_TRIVIA", "MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA", "MOVIE_INFO_AND_REVIEWS",
    "MOVIE_SHOWTIMES", "MUSIC_AND_AUDIO_ACCESSORIES", "MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA",
    "MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE", "NAVIGATION_AND_TRIP_PLANNER", "NEWS", "NOVELTY",
    "ORGANIZERS_AND_ASSISTANTS", "PETS_AND_ANIMAL", "PODCAST", "PUBLIC_TRANSPORTATION",
    "RELIGION_AND_SPIRITUALITY", "RESTAURANT_BOOKING_INFO_AND_REVIEW", "SCHOOLS", "SCORE_KEEPING",
    "SELF_IMPROVEMENT", "SHOPPING", "SMART_HOME", "SOCIAL_NETWORKING", "SPORTS_GAMES", "SPORTS_NEWS",
    "STREAMING_SERVICE", "TAXI_AND_RIDESHARING", "TO_DO_LISTS_AND_NOTES", "TRANSLATORS", "TV_GUIDES",
    "UNIT_CONVERTERS", "WEATHER", "WINE_AND_BEVERAGE", "ZIP_CODE_LOOKUP",
)
# "Develop Skills in Multiple Languages": the locales a custom skill can be published in.
SKILL_LOCALES = (
    "ar-SA", "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US", "es-ES", "es-MX", "es-US",
    "fr-CA", "fr-FR", "hi-IN", "it-IT", "ja-JP", "nl-NL", "pt-BR",
)
# Where each locale's listing is offered ("Skill Manifest Schema": distributionCountries, ISO 3166-1).
COUNTRY_OF_LOCALE = {"en-US": "US", "en-GB": "GB", "en-CA": "CA", "en-AU": "AU", "en-IN": "IN"}

# "Skill Manifest Schema", publishingInformation.locales, and the developer console's store listing.
NAME_CHARS = (2, 50)
SUMMARY_MAX_CHARS = 160
DESCRIPTION_MAX_CHARS = 4000
EXAMPLE_PHRASES = (1, 3)
EXAMPLE_PHRASE_MAX_CHARS = 200
"""No page the search reached states a length; 200 is the sample utterance limit a phrase comes from."""
KEYWORDS_MAX = 30
KEYWORD_MAX_CHARS = 150
"""Keyword limits as the developer console applies them (not stated on the pages the search reached)."""

# "Policy Requirements": a health skill's description says it is no substitute for professional advice.
DISCLAIMER = "not a substitute for professional medical advice"

# "Crafting great example phrases that meet certification requirements" (Alexa blog): the first
# phrase has the wake word and the invocation name, and every utterance is one of the model's
# samples; the wake, launch and connecting words are skill.tools.vocabulary's.

# "Skill Manifest Schema", privacyAndCompliance: no purchases, no personal information asked
# for or kept beyond an anonymous id, not for children, no advertising, nothing export-controlled.
PRIVACY_AND_COMPLIANCE = {
    "allowsPurchases": False,
    "usesPersonalInfo": False,
    "isChildDirected": False,
    "isExportCompliant": True,
    "containsAds": False,
}

# "Skill Manifest Schema", permissions; "Alexa Reminders API Reference": the scope a skill's reminders need.
PERMISSIONS = [{"name": "alexa::alerts:reminders:skill:readwrite"}]

# "Skill Manifest Schema", apis.custom.endpoint and the SSL certificate type enumeration.
# "Configure Your Web Service to Use a Self-signed Certificate": self-signed is for testing only.
SSL_CERTIFICATE_TYPES = ("Trusted", "Wildcard", "SelfSigned")
DEFAULT_SSL_CERTIFICATE_TYPE = "Trusted"
LAMBDA_ARN = re.compile(r"^arn:aws:lambda:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):\d{12}:function:[A-Za-z0-9_-]{1,64}"
                        r"(?::[A-Za-z0-9_$-]+)?$")
# "Host a Custom Skill as an AWS Lambda Function": the Alexa Skills Kit trigger exists only in
# US East (N. Virginia), US West (Oregon), EU (Ireland) and Asia Pacific (Tokyo).
ALEXA_LAMBDA_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1")
# "Host a Custom Skill as a Web Service": Alexa calls HTTPS on port 443 only.
HTTPS_PORT = 443

# "Skill Manifest Schema", events: Alexa sends AlexaSkillEvent.SkillDisabled only to a skill that
# subscribes; the skill deletes her record when she disables it (skill/runtime/handlers/privacy.py).
EVENT_SUBSCRIPTIONS = ("SKILL_DISABLED",)

# "Skill Manifest Schema", publishingInformation.locales: smallIconUri 108x108 and largeIconUri
# 512x512 PNG. The ASK CLI uploads a file:// icon from skill-package/ when it deploys.
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}
ICON_ASSET = "assets/images/cramp-coach-{size}.png"
"""Where the default icons go in skill-package/, and their file:// URI (relative to it)."""

# "Skill Manifest Schema", interfaces: the screens the APL documents were laid out for
# (Echo Show landscape sizes, and the round Echo Spot).
APL_INTERFACE = {
    "type": "ALEXA_PRESENTATION_APL",
    "supportedViewports": [
        {"mode": "HUB", "shape": "RECTANGLE", "minWidth": 960, "maxWidth": 2560, "minHeight": 480, "maxHeight": 1279},
        {"mode": "HUB", "shape": "ROUND", "minWidth": 480, "maxWidth": 480, "minHeight": 480, "maxHeight": 480},
    ],
}


class EndpointError(ValueError):
    """An endpoint (or another flag's value) that cannot be used; the message says what to pass instead."""


@dataclass(frozen=True)
class Listing:
    """The words of the skill's store listing (content/listing.yaml)."""

    name: str
    summary: str
    description: str
    example_phrases: tuple[str, ...]
    keywords: tuple[str, ...]
    testing_instructions: str


def load_listing(folder: Optional[Path] = None) -> Listing:
    """Read content/listing.yaml; raise ContentError naming the file and key."""
    path = (folder or content_dir()) / LISTING_FILE
    where = f"content/{LISTING_FILE}"
    data = read_yaml_mapping(path, where)
    text = {}
    for key in ("name", "summary", "description", "testing_instructions"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ContentError(f"{where}: {key}: is missing")
        text[key] = data[key].strip()
    lists = {}
    for key in ("example_phrases", "keywords"):
        items = data.get(key)
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ContentError(f"{where}: {key}: must be a list of phrases")
        lists[key] = tuple(i.strip() for i in items)
    return Listing(**text, **lists)


def endpoint_for(
    endpoint: Optional[str] = None,
    lambda_arn: Optional[str] = None,
    ssl_certificate_type: str = DEFAULT_SSL_CERTIFICATE_TYPE,
) -> dict[str, str]:
    """``apis.custom.endpoint`` for an HTTPS web service or an AWS Lambda function (exactly one)."""
    if (endpoint is None) == (lambda_arn is None):
        raise EndpointError("give exactly one of --endpoint https://… (a web service) "
                            "or --lambda-arn arn:aws:lambda:… (a Lambda function)")
    if lambda_arn is not None:
        problem = _lambda_arn_problem(lambda_arn)
        if problem:
            raise EndpointError(problem)
        return {"uri": lambda_arn}
    problem = _https_problem(endpoint or "")
    if problem:
        raise EndpointError(problem)
    if ssl_certificate_type not in SSL_CERTIFICATE_TYPES:
        raise EndpointError(f"SSL certificate type {ssl_certificate_type!r} is not one of "
                            f"{', '.join(SSL_CERTIFICATE_TYPES)}")
    return {"uri": endpoint or "", "sslCertificateType": ssl_certificate_type}


def _lambda_arn_problem(arn: str) -> Optional[str]:
    match = LAMBDA_ARN.match(arn)
    if not match:
        return f"{arn!r} is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)"
    problem = region_problem(match.group("region"))
    return f"{arn!r}: {problem}" if problem else None


def region_problem(region: str) -> Optional[str]:
    """Why a Lambda function in ``region`` cannot serve Alexa, or None."""
    if region in ALEXA_LAMBDA_REGIONS:
        return None
    return (f"{region} has no Alexa Skills Kit trigger for Lambda; "
            f"deploy the function in one of {', '.join(ALEXA_LAMBDA_REGIONS)}")


def _https_problem(uri: str) -> Optional[str]:
    url = urlparse(uri)
    if url.scheme != "https" or not url.hostname:
        return f"{uri!r} is not an https:// URL; Alexa only calls web services over HTTPS"
    try:
        port = url.port
    except ValueError:
        return f"{uri!r} has a port that is not a number; Alexa only calls port {HTTPS_PORT}"
    if port not in (None, HTTPS_PORT):
        return f"{uri!r} uses port {port}; Alexa only calls web services on port {HTTPS_PORT}"
    return None


@dataclass(frozen=True)
class PublishingLinks:
    """The URLs a listing points to; icons default to the ones shipped in skill-package/assets/."""

    privacy_policy_url: Optional[str] = None
    terms_of_use_url: Optional[str] = None
    small_icon_url: Optional[str] = None
    large_icon_url: Optional[str] = None

    def icons(self) -> dict[str, str]:
        given = {"smallIconUri": self.small_icon_url, "largeIconUri": self.large_icon_url}
        return {key: url or "file://" + ICON_ASSET.format(size=ICON_SIZES[key]) for key, url in given.items()}

    def problems(self) -> list[str]:
        named = {"--privacy-policy-url": self.privacy_policy_url, "--terms-of-use-url": self.terms_of_use_url,
                 "--small-icon-url": self.small_icon_url, "--large-icon-url": self.large_icon_url}
        return [f"{flag}: {url!r} must be an https:// URL" for flag, url in named.items()
                if url is not None and urlparse(url).scheme != "https"]


def build_manifest(listing: Listing, locales: list[str], endpoint: Optional[Mapping[str, str]],
                   links: PublishingLinks = PublishingLinks()) -> dict[str, Any]:
    """skill.json for a custom skill published in ``locales``.

    Without ``endpoint`` the ASK CLI fills in the endpoints (API and events) from the stack it deploys.
    """
    localized = {
        "name": listing.name,
        "summary": listing.summary,
        "description": listing.description,
        "examplePhrases": list(listing.example_phrases),
        "keywords": list(listing.keywords),
        **links.icons(),
    }
    privacy: dict[str, Any] = dict(PRIVACY_AND_COMPLIANCE)
    urls = {"privacyPolicyUrl": links.privacy_policy_url, "termsOfUseUrl": links.terms_of_use_url}
    urls = {key: url for key, url in urls.items() if url}
    if urls:
        privacy["locales"] = {locale: dict(urls) for locale in locales}
    custom: dict[str, Any] = {"interfaces": [APL_INTERFACE]}
    body: dict[str, Any] = {}
    if endpoint is not None:
        custom["endpoint"] = dict(endpoint)
        # Without an endpoint the ASK CLI adds the events, with the stack's endpoint, from
        # ask-resources.json's skillEvents: a subscription without an endpoint is not sent.
        body["events"] = {"endpoint": dict(endpoint),
                          "subscriptions": [{"eventName": name} for name in EVENT_SUBSCRIPTIONS]}
    return {
        "manifest": {
            "manifestVersion": MANIFEST_VERSION,
            "publishingInformation": {
                "locales": {locale: dict(localized) for locale in locales},
                "isAvailableWorldwide": False,
                "distributionCountries": [COUNTRY_OF_LOCALE[locale] for locale in locales],
                "distributionMode": "PUBLIC",
                "category": CATEGORY,
                "testingInstructions": listing.testing_instructions,
            },
            "privacyAndCompliance": privacy,
            "apis": {"custom": custom},
            "permissions": [dict(p) for p in PERMISSIONS],
            **body,
        }
    }


def manifest_problems(manifest: Mapping[str, Any], locale_models: Mapping[str, Mapping[str, Any]],
                      *, endpoint_from_stack: bool = False) -> list[str]:
    """Every rule of Amazon's that ``manifest`` breaks, one line each ("skill.json: key: problem").

    ``endpoint_from_stack``: no endpoint yet, as the ASK CLI writes it in after deploying the stack.
    """
    problems: list[str] = []
    body = manifest.get("manifest", {})
    publishing = body.get("publishingInformation", {})
    if body.get("manifestVersion") != MANIFEST_VERSION:
        problems.append(f"manifestVersion: must be {MANIFEST_VERSION!r}")
    if publishing.get("category") not in CATEGORIES:
        problems.append(f"publishingInformation.category: {publishing.get('category')!r} is not an Amazon category")
    locales = publishing.get("locales") or {}
    if not locales:
        problems.append("publishingInformation.locales: the skill is published in no locale")
    for locale, listing in locales.items():
        problems.extend(_locale_problems(locale, listing, locale_models.get(locale)))
    countries = publishing.get("distributionCountries") or []
    if publishing.get("isAvailableWorldwide") is False and not countries:
        problems.append("publishingInformation.distributionCountries: needed when not available worldwide")
    privacy = body.get("privacyAndCompliance", {})
    for key, expected in PRIVACY_AND_COMPLIANCE.items():
        if privacy.get(key) is not expected:
            problems.append(f"privacyAndCompliance.{key}: must be {json.dumps(expected)} for this skill")
    endpoint = body.get("apis", {}).get("custom", {}).get("endpoint")
    if endpoint or not endpoint_from_stack:
        problems.extend(_endpoint_problems(endpoint or {}))
        problems.extend(_events_problems(body.get("events") or {}, endpoint))
    return [f"skill.json: {problem}" for problem in problems]


def _events_problems(events: Mapping[str, Any], endpoint: Optional[Mapping[str, Any]]) -> list[str]:
    subscribed = {item.get("eventName") for item in events.get("subscriptions") or []}
    problems = [f"events.subscriptions: must include {name}, or disabling the skill never deletes her record"
                for name in EVENT_SUBSCRIPTIONS if name not in subscribed]
    if endpoint and events.get("endpoint") != endpoint:
        problems.append("events.endpoint: must be the skill's own endpoint, which handles SkillDisabled")
    return problems


def _locale_problems(locale: str, listing: Mapping[str, Any], model: Optional[Mapping[str, Any]]) -> list[str]:
    where = f"publishingInformation.locales.{locale}"
    problems = []
    if locale not in SKILL_LOCALES:
        problems.append(f"{where}: {locale!r} is not a locale Alexa skills are published in")
    if model is None:
        problems.append(f"{where}: no interaction model for {locale}")
    name, summary, description = (str(listing.get(k, "")) for k in ("name", "summary", "description"))
    if not NAME_CHARS[0] <= len(name) <= NAME_CHARS[1]:
        problems.append(f"{where}.name: {len(name)} characters; must be {NAME_CHARS[0]} to {NAME_CHARS[1]}")
    if not summary or len(summary) > SUMMARY_MAX_CHARS:
        problems.append(f"{where}.summary: {len(summary)} characters; must be 1 to {SUMMARY_MAX_CHARS}")
    if not description or len(description) > DESCRIPTION_MAX_CHARS:
        problems.append(f"{where}.description: {len(description)} characters; must be 1 to {DESCRIPTION_MAX_CHARS}")
    if DISCLAIMER not in " ".join(description.lower().split()):
        problems.append(f"{where}.description: a health skill must say it is {DISCLAIMER!r}")
    keywords = listing.get("keywords") or []
    if len(keywords) > KEYWORDS_MAX:
        problems.append(f"{where}.keywords: {len(keywords)} keywords; the most is {KEYWORDS_MAX}")
    problems.extend(f"{where}.keywords: {k!r} is longer than {KEYWORD_MAX_CHARS} characters"
                    for k in keywords if len(k) > KEYWORD_MAX_CHARS)
    for key, size in ICON_SIZES.items():
        icon = str(listing.get(key, ""))
        if not icon.startswith(("https://", "file://")):
            problems.append(f"{where}.{key}: needs a {size}x{size} PNG (an https:// or file:// URI)")
    phrases = listing.get("examplePhrases") or []
    if not EXAMPLE_PHRASES[0] <= len(phrases) <= EXAMPLE_PHRASES[1]:
        problems.append(f"{where}.examplePhrases: {len(phrases)} phrases; give {EXAMPLE_PHRASES[0]} to {EXAMPLE_PHRASES[1]}")
    samples: Container[str] = SpokenSamples(model) if model else set()
    for index, phrase in enumerate(phrases):
        problem = example_phrase_problem(phrase, samples, first=index == 0)
        if problem:
            problems.append(f"{where}.examplePhrases[{index}]: {phrase!r} {problem}")
    return problems


def example_phrase_problem(phrase: str, samples: Container[str], *, first: bool) -> Optional[str]:
    """Why ``phrase`` would fail certification, or None."""
    if len(phrase) > EXAMPLE_PHRASE_MAX_CHARS:
        return f"is longer than {EXAMPLE_PHRASE_MAX_CHARS} characters"
    prefix = f"{WAKE_WORD}, "
    if not phrase.startswith(prefix):
        return f"must start with {prefix!r}"
    words = normalize(re.sub(r"[.?!]+$", "", phrase[len(prefix):]))
    for opener in OPEN_WORDS:
        if words == f"{opener} {INVOCATION_NAME}":
            return None
    for asker in ASK_WORDS:
        lead = f"{asker} {INVOCATION_NAME} "
        if words.startswith(lead):
            request = words[len(lead):]
            for connector in CONNECTING_WORDS:
                if request.startswith(connector + " ") and request not in samples:
                    request = request[len(connector) + 1:]
            if request in samples:
                return None
            return f"asks for {request!r}, which is not a sample utterance of the model"
    if first:
        return f"must open the skill by name, e.g. \"{WAKE_WORD}, open {INVOCATION_NAME}\""
    return f"must say \"open {INVOCATION_NAME}\" or \"ask {INVOCATION_NAME}\" and one of the model's samples"


def _endpoint_problems(endpoint: Mapping[str, Any]) -> list[str]:
    uri = str(endpoint.get("uri", ""))
    where = "apis.custom.endpoint"
    if uri.startswith("arn:"):
        problem = _lambda_arn_problem(uri)
        if problem:
            return [f"{where}.uri: {problem}"]
        if "sslCertificateType" in endpoint:
            return [f"{where}.sslCertificateType: only for HTTPS endpoints, not a Lambda ARN"]
        return []
    if urlparse(uri).scheme != "https":
        return [f"{where}.uri: {uri!r} must be an https:// URL or a Lambda ARN"]
    problem = _https_problem(uri)
    if problem:
        return [f"{where}.uri: {problem}"]
    if endpoint.get("sslCertificateType") not in SSL_CERTIFICATE_TYPES:
        return [f"{where}.sslCertificateType: must be one of {', '.join(SSL_CERTIFICATE_TYPES)}"]
    return []


USER_SALT_MIN_CHARS = 32
"""The stack's UserSalt parameter has MinLength 32 (skill-stack.yaml): long enough not to be guessed."""


@dataclass(frozen=True)
class Hosting:
    """Where the skill runs: a web service, a Lambda function of yours, or (neither) the stack ``ask deploy`` creates."""

    endpoint: Optional[str] = None
    lambda_arn: Optional[str] = None
    ssl_certificate_type: str = DEFAULT_SSL_CERTIFICATE_TYPE
    aws_region: str = "us-east-1"
    user_salt: Optional[str] = None
    snapstart: bool = False

    @property
    def with_stack(self) -> bool:
        return self.endpoint is None and self.lambda_arn is None

    def manifest_endpoint(self) -> Optional[dict[str, str]]:
        """``apis.custom.endpoint``; None when the ASK CLI writes in the stack's own. Raises EndpointError."""
        if self.with_stack:
            problem = region_problem(self.aws_region)
            if problem:
                raise EndpointError(f"--aws-region: {problem}")
            if self.user_salt is not None and len(self.user_salt) < USER_SALT_MIN_CHARS:
                raise EndpointError(f"--user-salt: {len(self.user_salt)} characters; the stack needs at least "
                                    f"{USER_SALT_MIN_CHARS} (a long random secret)")
            return None
        return endpoint_for(self.endpoint, self.lambda_arn, self.ssl_certificate_type)


def package(out: Path, hosting: Hosting = Hosting(), links: PublishingLinks = PublishingLinks()) -> list[Path]:
    """Write the ASK CLI project in ``out``: skill-package/, ask-resources.json and, for the stack, lambda/.

    Raises EndpointError for an unusable endpoint and ValueError listing every broken rule; nothing
    is written then.
    """
    from skill.tools import ask_project

    endpoint = hosting.manifest_endpoint()
    if links.problems():
        raise EndpointError("; ".join(links.problems()))
    source = models.load_source()
    locales = models.locales(source)
    locale_models = {locale: models.generate(locale, source) for locale in locales}
    manifest = build_manifest(load_listing(), locales, endpoint, links)
    problems = manifest_problems(manifest, locale_models, endpoint_from_stack=hosting.with_stack)
    if problems:
        raise ValueError("the skill package breaks Amazon's rules:\n" + "\n".join(problems))
    salt = hosting.user_salt or ask_project.existing_salt(out)
    out.mkdir(parents=True, exist_ok=True)
    written = write_skill_package(out / ask_project.SKILL_PACKAGE_DIR, manifest, locale_models)
    written += ask_project.write_ask_resources(out, ask_project.ask_resources(
        with_stack=hosting.with_stack, aws_region=hosting.aws_region, salt=salt, snapstart=hosting.snapstart))
    if hosting.with_stack:
        from skill.tools.lambda_bundle import build_lambda

        written += ask_project.write_stack(out)
        written.append(build_lambda(out / ask_project.LAMBDA_DIR).path)
    written += _write_evaluation_sets(out, locales)
    return written


def write_skill_package(root: Path, manifest: Mapping[str, Any], locale_models: Mapping[str, Any]) -> list[Path]:
    """skill.json, every locale's model, and the default icons (replace them in assets/images/)."""
    model_dir = root / "interactionModels" / "custom"
    model_dir.mkdir(parents=True, exist_ok=True)
    written = [root / "skill.json"]
    written[0].write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for locale, model in locale_models.items():
        path = model_dir / f"{locale}.json"
        path.write_text(models.render(model), encoding="utf-8")
        written.append(path)
    for size in ICON_SIZES.values():
        path = root / ICON_ASSET.format(size=size)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PUBLISH_ASSETS / f"icon-{size}.png", path)
        written.append(path)
    return written


def _write_evaluation_sets(out: Path, locales: list[str]) -> list[Path]:
    """``out/nlu-evaluation/<locale>.json``: each held-out set as the NLU Evaluation tool uploads it."""
    from skill.tools import evaluation

    written = []
    for locale in locales:
        if evaluation.set_path(locale).is_file():
            path = out / "nlu-evaluation" / f"{locale}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(evaluation.upload_form(locale), encoding="utf-8")
            written.append(path)
    return written
