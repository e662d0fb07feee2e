"""Publishing: `cramp-coach package` writes a skill package the ASK CLI deploys, and its
skill.json keeps every rule of Amazon's the docs state (lengths, phrases, category, privacy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from click.testing import CliRunner

from skill.tools import models, publish
from skill.tools.cli import main
from skill.tools.model_rules import INVOCATION_NAME, keys_lost, spoken_samples

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LAMBDA_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:cramp-coach"
ENDPOINT = "https://coach.example.org/alexa"
LOCALES = ["en-US", "en-GB", "en-CA", "en-AU", "en-IN"]


@pytest.fixture
def cramp_coach(tmp_path: Path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        return subprocess.run([sys.executable, "-m", "skill.tools.cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
    return run


@pytest.fixture
def cli(tmp_path: Path, monkeypatch):
    """`cramp-coach` run in this process (click's test runner) from tmp_path: for what a command decides."""
    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def locale_models():
    return {locale: models.generate(locale) for locale in LOCALES}


@pytest.fixture(scope="module")
def manifest():
    return publish.build_manifest(publish.load_listing(), LOCALES, publish.endpoint_for(lambda_arn=LAMBDA_ARN))


def localized(manifest) -> dict:
    return manifest["manifest"]["publishingInformation"]["locales"]


# --------------------------------------------------------------------------- the command


def test_package_with_a_lambda_writes_skill_json_and_every_locales_model(cramp_coach, tmp_path):
    result = cramp_coach("package", "--out", "build", "--lambda-arn", LAMBDA_ARN)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "build" / "skill-package"
    skill_json = json.loads((root / "skill.json").read_text(encoding="utf-8"))
    assert skill_json["manifest"]["apis"]["custom"]["endpoint"] == {"uri": LAMBDA_ARN}
    for locale in LOCALES:
        written = (root / "interactionModels" / "custom" / f"{locale}.json").read_text(encoding="utf-8")
        assert written == models.model_path(locale).read_text(encoding="utf-8")
    assert "--privacy-policy-url" in result.stderr  # what is still needed before certification
    assert skill_json["manifest"]["events"] == {"endpoint": {"uri": LAMBDA_ARN},
                                                "subscriptions": [{"eventName": "SKILL_DISABLED"}]}
    assert json.loads((tmp_path / "build" / "ask-resources.json").read_text()) == {
        "askcliResourcesVersion": "2020-03-31", "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}}}


def test_package_with_a_web_service_names_its_certificate(cli, tmp_path):
    result = cli("package", "--out", "build", "--endpoint", ENDPOINT)
    assert result.exit_code == 0, result.output
    skill_json = json.loads((tmp_path / "build" / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    assert skill_json["manifest"]["apis"]["custom"]["endpoint"] == {"uri": ENDPOINT, "sslCertificateType": "Trusted"}


def test_package_takes_one_endpoint_at_most(cli, tmp_path):
    result = cli("package", "--out", "build", "--endpoint", ENDPOINT, "--lambda-arn", LAMBDA_ARN)
    assert result.exit_code == 2
    assert "exactly one of --endpoint" in result.output
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("args, reason", [
    (("--endpoint", "https://coach.example.org:8443/alexa"), "uses port 8443; Alexa only calls web services on port 443"),
    (("--lambda-arn", "arn:aws:lambda:eu-central-1:123456789012:function:cramp-coach"),
     "eu-central-1 has no Alexa Skills Kit trigger for Lambda; deploy the function in one of us-east-1"),
    (("--aws-region", "eu-central-1"), "--aws-region: eu-central-1 has no Alexa Skills Kit trigger"),
    (("--user-salt", "short"), "--user-salt: 5 characters; the stack needs at least 32"),
    (("--endpoint", ENDPOINT, "--privacy-policy-url", "http://coach.example.org/privacy"),
     "--privacy-policy-url: 'http://coach.example.org/privacy' must be an https:// URL"),
])
def test_package_refuses_what_alexa_would_not_call_and_says_why(cli, tmp_path, args, reason):
    result = cli("package", "--out", "build", *args)
    assert result.exit_code == 2
    assert reason in " ".join(result.output.split())
    assert not (tmp_path / "build").exists()


def test_package_for_a_web_service_takes_the_privacy_terms_and_icon_urls(cli, tmp_path):
    result = cli("package", "--out", "build", "--endpoint", ENDPOINT,
                 "--privacy-policy-url", "https://coach.example.org/privacy",
                 "--terms-of-use-url", "https://coach.example.org/terms",
                 "--large-icon-url", "https://coach.example.org/icon-512.png")
    assert result.exit_code == 0, result.output
    body = json.loads((tmp_path / "build" / "skill-package" / "skill.json").read_text(encoding="utf-8"))["manifest"]
    assert body["privacyAndCompliance"]["locales"]["en-GB"] == {
        "privacyPolicyUrl": "https://coach.example.org/privacy", "termsOfUseUrl": "https://coach.example.org/terms"}
    for listing in body["publishingInformation"]["locales"].values():
        assert listing["largeIconUri"] == "https://coach.example.org/icon-512.png"
        assert listing["smallIconUri"] == "file://assets/images/cramp-coach-108.png"
    assert body["events"]["endpoint"] == body["apis"]["custom"]["endpoint"]
    assert "--privacy-policy-url" not in result.output


def test_the_default_icons_are_pngs_of_the_sizes_amazon_asks_for(cli, tmp_path):
    assert cli("package", "--out", "build", "--endpoint", ENDPOINT).exit_code == 0
    for size in (108, 512):
        data = (tmp_path / "build" / "skill-package" / "assets" / "images" / f"cramp-coach-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
        assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (size, size)


def test_package_refuses_a_plain_http_endpoint(cli):
    result = cli("package", "--out", "build", "--endpoint", "http://coach.example.org/alexa")
    assert result.exit_code == 2
    assert "https://" in result.output


def test_package_refuses_something_that_is_not_a_lambda_arn(cli):
    result = cli("package", "--out", "build", "--lambda-arn", "cramp-coach")
    assert result.exit_code == 2
    assert "not a Lambda function ARN" in result.output


def test_help_lists_package_check_and_review(cli):
    result = cli("--help")
    for command in ("package", "check", "review"):
        assert command in result.output


# --------------------------------------------------------------------------- the manifest


def test_the_manifest_keeps_every_rule_we_found_in_amazons_docs(manifest, locale_models):
    assert publish.manifest_problems(manifest, locale_models) == []


def test_the_manifest_round_trips_through_amazons_own_manifest_types(manifest):
    serializer = DefaultSerializer()
    parsed = serializer.deserialize(
        json.dumps(manifest), "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope")
    assert keys_lost(manifest, serializer.serialize(parsed)) == []


def test_it_is_a_custom_skill_in_health_and_fitness_published_in_five_locales(manifest):
    body = manifest["manifest"]
    assert set(body["apis"]) == {"custom"}
    assert body["publishingInformation"]["category"] == "HEALTH_AND_FITNESS" in publish.CATEGORIES
    assert list(localized(manifest)) == LOCALES
    assert body["publishingInformation"]["distributionCountries"] == ["US", "GB", "CA", "AU", "IN"]


def test_disabling_the_skill_reaches_the_skill_so_her_record_is_deleted(manifest, locale_models):
    assert manifest["manifest"]["events"]["subscriptions"] == [{"eventName": "SKILL_DISABLED"}]
    unsubscribed = json.loads(json.dumps(manifest))
    unsubscribed["manifest"]["events"]["subscriptions"] = []
    assert any("SKILL_DISABLED" in p for p in publish.manifest_problems(unsubscribed, locale_models))


def test_the_privacy_answers_are_no_purchases_no_personal_info_not_for_children_no_ads(manifest):
    assert manifest["manifest"]["privacyAndCompliance"] == {
        "allowsPurchases": False, "usesPersonalInfo": False, "isChildDirected": False,
        "isExportCompliant": True, "containsAds": False,
    }


def test_the_description_carries_the_not_medical_advice_disclaimer(manifest):
    for listing in localized(manifest).values():
        assert "not a substitute for professional medical advice" in listing["description"]
        assert "emergency" in listing["description"]


def test_the_listing_fits_amazons_lengths(manifest):
    for listing in localized(manifest).values():
        assert 2 <= len(listing["name"]) <= publish.NAME_CHARS[1] == 50
        assert len(listing["summary"]) <= publish.SUMMARY_MAX_CHARS == 160
        assert len(listing["description"]) <= publish.DESCRIPTION_MAX_CHARS == 4000
        assert 1 <= len(listing["examplePhrases"]) <= 3
        assert len(listing["keywords"]) <= publish.KEYWORDS_MAX


def test_each_example_phrase_is_a_sample_she_can_say_in_every_locale(manifest, locale_models):
    for locale, listing in localized(manifest).items():
        phrases = listing["examplePhrases"]
        assert phrases[0] == f"Alexa, open {INVOCATION_NAME}"
        samples = spoken_samples(locale_models[locale])
        for phrase in phrases[1:]:
            lead = f"Alexa, ask {INVOCATION_NAME} "
            assert phrase.startswith(lead)
            assert phrase[len(lead):].lower() in samples, (locale, phrase)


@pytest.mark.parametrize("phrase, problem", [
    ("open cramp coach", "must start with 'Alexa, '"),
    ("Alexa, ask cramp coach to sing a song", "not a sample utterance"),
    ("Alexa, what should I eat", "must open the skill by name"),
])
def test_an_example_phrase_that_would_fail_certification_is_caught(phrase, problem, locale_models):
    found = publish.example_phrase_problem(phrase, spoken_samples(locale_models["en-US"]), first=True)
    assert found and problem in found


def test_a_phrase_with_a_connecting_word_still_matches_the_sample():
    assert publish.example_phrase_problem("Alexa, ask cramp coach about bedtime tips.", {"bedtime tips"},
                                          first=False) is None


def test_a_broken_listing_is_reported_key_by_key(manifest, locale_models):
    broken = json.loads(json.dumps(manifest))
    listing = localized(broken)["en-GB"]
    listing["name"] = "C" * 51
    listing["summary"] = "S" * 161
    listing["description"] = "Tips for cramps."
    listing["examplePhrases"] = ["Alexa, open cramp coach", "Alexa, ask cramp coach to dance", "a", "b"]
    broken["manifest"]["publishingInformation"]["category"] = "MEDICAL"
    broken["manifest"]["privacyAndCompliance"]["containsAds"] = True
    problems = publish.manifest_problems(broken, locale_models)
    for key in ("locales.en-GB.name", "locales.en-GB.summary", "locales.en-GB.description",
                "locales.en-GB.examplePhrases:", "locales.en-GB.examplePhrases[1]",
                "category", "privacyAndCompliance.containsAds"):
        assert any(key in p for p in problems), (key, problems)
    assert all(p.startswith("skill.json: ") for p in problems)


def test_an_https_endpoint_needs_a_known_certificate_type():
    with pytest.raises(publish.EndpointError):
        publish.endpoint_for(endpoint=ENDPOINT, ssl_certificate_type="Homemade")
    assert publish.endpoint_for(endpoint=ENDPOINT, ssl_certificate_type="Wildcard")["sslCertificateType"] == "Wildcard"


def test_the_manifest_declares_the_screen_it_draws_for(manifest):
    (interface,) = manifest["manifest"]["apis"]["custom"]["interfaces"]
    assert interface["type"] == "ALEXA_PRESENTATION_APL"
    assert {(v["mode"], v["shape"]) for v in interface["supportedViewports"]} == {("HUB", "RECTANGLE"), ("HUB", "ROUND")}


# --------------------------------------------------------------------------- the wheel


def test_the_wheel_carries_the_screens_every_locale_and_the_listing(tmp_path):
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(PROJECT_ROOT)], check=True)
    (wheel,) = tmp_path.glob("cramp_coach-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"skill/apl/walkthrough_step.json", "skill/apl/answer.json", "skill/content/screens.yaml",
                "skill/content/listing.yaml", "skill/interaction_models/source/model.yaml",
                *(f"skill/interaction_models/{locale}.json" for locale in LOCALES)}
    assert expected <= names
