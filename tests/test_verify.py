"""Amazon's request verification, through the web app: one signed request gets the skill's answer,
and each rule broken on its own gets a 400 that says only "request verification failed"."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Optional

import pytest
from cryptography.hazmat.primitives import hashes

from skill.runtime.envelope import LOCAL_SKILL_ID, Session, intent_request, launch_request
from skill.web.cert_fetch import FAILED_FETCH_SECONDS, FAILED_URL_SECONDS, NEW_URL_BURST, FailedUrls, FetchBudget
from skill.web.verify import RequestVerifier, SigningKeyCache, VerificationFailed, check_cert_chain_url
from skill.web.app import VERIFICATION_FAILED, WebConfig, create_app

from alexa_signing import CERT_URL, NOW, Authority, Clock, FakeS3, SigningCert, body_of, rsa_key

SKILL_EVENT = {
    "version": "1.0",
    "context": {"System": {"application": {"applicationId": LOCAL_SKILL_ID},
                           "user": {"userId": "amzn1.ask.account.EVENTUSER"},
                           "apiEndpoint": "https://api.amazonalexa.com"}},
    "request": {"type": "AlexaSkillEvent.SkillEnabled", "requestId": "amzn1.echo-api.request.event-1",
                "timestamp": "", "eventCreationTime": "2026-03-01T22:00:00Z",
                "eventPublishingTime": "2026-03-01T22:00:00Z"},
}


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture(scope="module")
def good_cert(authority) -> SigningCert:
    return authority.issue()


@dataclass
class Alexa:
    """Sends signed requests to a fresh app whose verifier uses a test clock, CA and S3."""

    client: Any
    clock: Clock
    s3: FakeS3
    cert: SigningCert
    verifier: RequestVerifier

    def send(self, body: bytes, headers: Optional[dict[str, str]] = None) -> Any:
        headers = self.cert.headers(body) if headers is None else headers
        return self.client.post("/alexa", data=body, headers=headers, content_type="application/json")


@pytest.fixture
def alexa(skill, authority, good_cert) -> Alexa:
    clock = Clock()
    s3 = FakeS3({CERT_URL: good_cert.chain_pem})
    verifier = RequestVerifier([authority.root_cert], clock=clock, load_chain=s3)
    app = create_app(WebConfig(skill_ids=(LOCAL_SKILL_ID,)), skill=skill, verifier=verifier)
    return Alexa(app.test_client(), clock, s3, good_cert, verifier)


@dataclass
class Ticks:
    """A monotonic clock the test moves."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def launch_body(at=NOW) -> bytes:
    return body_of(launch_request(Session()), at=at)


def assert_refused(response) -> None:
    assert response.status_code == 400
    assert response.get_json() == {"error": VERIFICATION_FAILED}


def test_a_request_signed_by_alexa_gets_the_skills_answer(alexa):
    response = alexa.send(launch_body())
    assert response.status_code == 200
    assert "Cramp Coach" in response.get_json()["response"]["outputSpeech"]["ssml"]
    assert alexa.s3.fetches == [CERT_URL]


def test_a_signed_intent_request_is_answered_too(alexa):
    response = alexa.send(body_of(intent_request(Session(), "FoodAndDrinkIntent")))
    assert response.status_code == 200
    assert "calcium" in response.get_json()["response"]["outputSpeech"]["ssml"]


# Each case breaks exactly one rule: (authority, alexa) -> response.
def _tampered(authority, alexa):
    body = launch_body()
    headers = alexa.cert.headers(body)
    return alexa.send(body.replace(b'"new": true', b'"new": false'), headers)


def _reserialised(authority, alexa):
    body = launch_body()
    headers = alexa.cert.headers(body)
    return alexa.send(json.dumps(json.loads(body), indent=1).encode(), headers)


def _other_key(authority, alexa):
    body = launch_body()
    stranger = SigningCert(key=rsa_key(), chain_pem=b"")
    return alexa.send(body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": stranger.sign(body)})


def _sha1_signature(authority, alexa):
    body = launch_body()
    return alexa.send(body, {"SignatureCertChainUrl": CERT_URL, "Signature-256": alexa.cert.sign(body, hashes.SHA1())})


def _serve_chain(cert: Callable[[Authority], SigningCert]):
    def case(authority, alexa):
        signer = cert(authority)
        alexa.s3.chains[CERT_URL] = signer.chain_pem
        body = launch_body()
        return alexa.send(body, signer.headers(body))
    return case


def _served_bytes(pem: bytes):
    def case(authority, alexa):
        alexa.s3.chains[CERT_URL] = pem
        return alexa.send(launch_body())
    return case


def _at(offset: timedelta, envelope=None):
    def case(authority, alexa):
        return alexa.send(body_of(envelope or launch_request(Session()), at=NOW + offset))
    return case


def _for_skill(skill_id: str, where: str):
    def case(authority, alexa):
        envelope = launch_request(Session())
        if where in ("context", "both"):
            envelope["context"]["System"]["application"]["applicationId"] = skill_id
        if where in ("session", "both"):
            envelope["session"]["application"]["applicationId"] = skill_id
        return alexa.send(body_of(envelope))
    return case


def _headers(**headers: Optional[str]):
    def case(authority, alexa):
        body = launch_body()
        sent = {"SignatureCertChainUrl": CERT_URL, "Signature-256": alexa.cert.sign(body)}
        for name, value in headers.items():
            name = name.replace("_", "-") if name == "Signature_256" else name
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        return alexa.send(body, sent)
    return case


def _cert_url(url: str):
    def case(authority, alexa):
        alexa.s3.chains[url] = alexa.cert.chain_pem  # even were it fetched, the URL alone must refuse it
        body = launch_body()
        return alexa.send(body, alexa.cert.headers(body, url=url))
    return case


def _unfetchable(authority, alexa):
    body = launch_body()
    return alexa.send(body, alexa.cert.headers(body, url="https://s3.amazonaws.com/echo.api/missing.pem"))


BROKEN_RULES = {
    "body tampered after signing": _tampered,
    "same JSON re-serialised after signing": _reserialised,
    "signature from another key": _other_key,
    "SHA-1 signature in the SHA-256 header": _sha1_signature,
    "expired leaf": _serve_chain(lambda a: a.issue(not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(seconds=1))),
    "leaf not yet valid": _serve_chain(lambda a: a.issue(not_before=NOW + timedelta(hours=1))),
    "leaf without a subjectAltName": _serve_chain(lambda a: a.issue(names=())),
    "leaf whose only name is *.amazon.com": _serve_chain(lambda a: a.issue(names=("*.amazon.com",))),
    "leaf for another name": _serve_chain(lambda a: a.issue(names=("echo-api.amazon.com.attacker.example",))),
    "chain to an untrusted root": _serve_chain(lambda a: Authority().issue()),
    "chain without its intermediate": _serve_chain(lambda a: a.issue(with_intermediate=False)),
    "leaf with an EC key": _serve_chain(lambda a: a.issue_ec()),
    "chain URL serves HTML": _served_bytes(b"<html>Access Denied</html>"),
    "chain URL serves nothing": _served_bytes(b""),
    "stale timestamp (151 s old)": _at(timedelta(seconds=-151)),
    "future timestamp (151 s ahead)": _at(timedelta(seconds=151)),
    "skill event over an hour old": _at(timedelta(minutes=-61), SKILL_EVENT),
    "another skill's application id": _for_skill("amzn1.ask.skill.someone-else", "both"),
    "another skill's id in the session only": _for_skill("amzn1.ask.skill.someone-else", "session"),
    "another skill's id in the context only": _for_skill("amzn1.ask.skill.someone-else", "context"),
    "no SignatureCertChainUrl header": _headers(SignatureCertChainUrl=None),
    "no Signature-256 header": _headers(Signature_256=None),
    "only the legacy SHA-1 Signature header": _headers(Signature_256=None, Signature="c2lnbmF0dXJl"),
    "signature not base64": _headers(Signature_256="not base64!!"),
    "empty signature": _headers(Signature_256=""),
    "cert URL over http": _cert_url("http://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    "cert URL on another host": _cert_url("https://notamazon.com/echo.api/echo-api-cert.pem"),
    "cert URL on a look-alike host": _cert_url("https://s3.amazonaws.com.attacker.example/echo.api/echo-api-cert.pem"),
    "cert URL escaping /echo.api/": _cert_url("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem"),
    "cert URL path in other case": _cert_url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem"),
    "cert URL outside /echo.api/": _cert_url("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem"),
    "cert URL on port 8443": _cert_url("https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem"),
    "cert URL on port 563": _cert_url("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem"),
    "cert URL with credentials": _cert_url("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    "cert URL that is not a URL": _cert_url("echo.api/echo-api-cert.pem"),
    "cert URL that is unfetchable (404)": _unfetchable,
}


@pytest.mark.parametrize("case", BROKEN_RULES.values(), ids=BROKEN_RULES.keys())
def test_each_broken_rule_is_refused_with_a_generic_400(authority, alexa, case):
    assert_refused(case(authority, alexa))


@pytest.mark.parametrize("url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/",
    "",
])
def test_a_bad_cert_url_is_refused_before_anything_is_fetched(alexa, url):
    body = launch_body()
    assert_refused(alexa.send(body, alexa.cert.headers(body, url=url)))
    assert alexa.s3.fetches == []


@pytest.mark.parametrize("url", [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
])
def test_amazons_documented_good_cert_urls_are_accepted_in_canonical_form(url):
    assert check_cert_chain_url(url) == "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def test_the_chain_is_fetched_from_the_canonical_url(alexa):
    canonical = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
    alexa.s3.chains[canonical] = alexa.cert.chain_pem
    body = launch_body()
    response = alexa.send(body, alexa.cert.headers(body, url="https://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert.pem"))
    assert response.status_code == 200
    assert alexa.s3.fetches == [canonical]


@pytest.mark.parametrize("offset", [timedelta(seconds=-149), timedelta(seconds=149)])
def test_a_timestamp_within_150_seconds_either_way_is_accepted(alexa, offset):
    assert alexa.send(body_of(launch_request(Session()), at=NOW + offset)).status_code == 200


def test_a_skill_event_may_be_up_to_an_hour_old(alexa):
    response = alexa.send(body_of(SKILL_EVENT, at=NOW - timedelta(minutes=59)))
    assert response.status_code == 200
    assert response.get_json() == {"version": "1.0", "response": {}}


def test_the_precise_reason_goes_to_the_log_and_never_to_the_caller(alexa, caplog):
    caplog.set_level(logging.INFO, logger="skill.web")
    response = _at(timedelta(seconds=-151))(None, alexa)
    assert_refused(response)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "skill.web"]
    assert "400" in line and "timestamp 151 s from now" in line
    assert "timestamp" not in response.get_data(as_text=True)


# The cache: validation is the expensive part; a cached URL costs only the signature check.

def test_a_second_request_with_the_same_url_does_not_fetch_the_chain_again(alexa):
    for _ in range(3):
        assert alexa.send(launch_body()).status_code == 200
    assert alexa.s3.fetches == [CERT_URL]


def test_a_second_request_with_the_same_url_does_not_validate_the_chain_again(alexa, monkeypatch):
    assert alexa.send(launch_body()).status_code == 200
    monkeypatch.setattr(RequestVerifier, "_validate_chain", lambda *args: pytest.fail("validated again"))
    assert alexa.send(launch_body()).status_code == 200


def test_each_url_is_fetched_once(alexa):
    other = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"
    alexa.s3.chains[other] = alexa.cert.chain_pem
    for url in (CERT_URL, other, CERT_URL, other):
        body = launch_body()
        assert alexa.send(body, alexa.cert.headers(body, url=url)).status_code == 200
    assert alexa.s3.fetches == [CERT_URL, other]


def test_a_cached_chain_is_dropped_when_its_leaf_expires_and_the_expired_refetch_is_refused(authority, alexa):
    short_lived = authority.issue(not_after=NOW + timedelta(hours=1))
    alexa.s3.chains[CERT_URL] = short_lived.chain_pem
    alexa.cert = short_lived
    assert alexa.send(launch_body()).status_code == 200
    alexa.clock.now = NOW + timedelta(hours=1, seconds=1)
    assert_refused(alexa.send(launch_body(at=alexa.clock.now)))
    assert alexa.s3.fetches == [CERT_URL, CERT_URL]


def test_a_renewed_chain_at_the_same_url_is_accepted_after_the_old_one_expires(authority, alexa):
    short_lived = authority.issue(not_after=NOW + timedelta(hours=1))
    alexa.s3.chains[CERT_URL] = short_lived.chain_pem
    alexa.cert = short_lived
    assert alexa.send(launch_body()).status_code == 200
    alexa.clock.now = NOW + timedelta(days=2)
    renewed = authority.issue(not_before=NOW + timedelta(days=1), not_after=NOW + timedelta(days=90))
    alexa.s3.chains[CERT_URL] = renewed.chain_pem
    assert alexa.send(launch_body(at=alexa.clock.now)).status_code == 200
    assert alexa.s3.fetches == [CERT_URL, CERT_URL]


def test_a_chain_that_failed_validation_is_refused_without_a_fetch_for_a_while(authority, good_cert):
    ticks = Ticks()
    s3 = FakeS3({CERT_URL: authority.issue(names=()).chain_pem})
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=s3, failed=FailedUrls(clock=ticks))
    body = launch_body()
    for _ in range(3):
        with pytest.raises(VerificationFailed):
            verifier.check_signature(CERT_URL, good_cert.sign(body), body)
    assert s3.fetches == [CERT_URL] and len(verifier.cache) == 0
    s3.chains[CERT_URL] = good_cert.chain_pem
    ticks.now += FAILED_URL_SECONDS
    verifier.check_signature(CERT_URL, good_cert.sign(body), body)
    assert s3.fetches == [CERT_URL, CERT_URL]


def test_the_cache_is_bounded_and_forgets_the_least_recently_used_url(authority, good_cert):
    s3 = FakeS3({f"https://s3.amazonaws.com/echo.api/cert-{n}.pem": good_cert.chain_pem for n in range(3)})
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=s3, cache=SigningKeyCache(max_entries=2))
    body = launch_body()
    for n in (0, 1, 0, 2, 0, 1):  # 2 pushes out 1 (least recently used), so 1 is fetched again
        verifier.check_signature(f"https://s3.amazonaws.com/echo.api/cert-{n}.pem", good_cert.sign(body), body)
    assert [url[-10:] for url in s3.fetches] == ["cert-0.pem", "cert-1.pem", "cert-2.pem", "cert-1.pem"]
    assert len(verifier.cache) == 2


def test_the_default_cache_holds_32_chains():
    assert SigningKeyCache().max_entries == 32


def test_the_verifier_is_safe_to_share_between_threads(authority, good_cert):
    s3 = FakeS3({CERT_URL: good_cert.chain_pem})
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=s3)
    body = launch_body()
    signature = good_cert.sign(body)
    failures: list[BaseException] = []

    def verify_many() -> None:
        try:
            for _ in range(20):
                verifier.check_signature(CERT_URL, signature, body)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=verify_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert 1 <= len(s3.fetches) <= len(threads)


def test_verification_failures_carry_a_reason_for_the_log(authority, good_cert):
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=FakeS3())
    with pytest.raises(VerificationFailed, match="port 8443 is not 443"):
        verifier.check_signature("https://s3.amazonaws.com:8443/echo.api/x.pem", "c2ln", b"{}")


def test_the_default_trust_store_holds_amazons_roots():
    from skill.web.verify import load_trust_roots

    names = {root.subject.rfc4514_string() for root in load_trust_roots()}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in names


def test_a_bundle_with_an_unreadable_certificate_keeps_the_rest(authority, tmp_path):
    from skill.web.verify import load_trust_roots

    broken = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(broken + authority.root_pem)
    assert load_trust_roots(bundle) == [authority.root_cert]


# Strangers: whatever they send, the server does the cheap checks first and fetches little.

def stranger_url(n: int) -> str:
    return f"https://s3.amazonaws.com/echo.api/cert-{n}.pem"


def test_a_url_whose_fetch_failed_is_tried_again_sooner_than_a_bad_chain(authority, good_cert):
    ticks = Ticks()
    s3 = FakeS3()  # 404 for everything
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=s3, failed=FailedUrls(clock=ticks))
    body = launch_body()
    for _ in range(2):
        with pytest.raises(VerificationFailed):
            verifier.check_signature(CERT_URL, good_cert.sign(body), body)
    assert s3.fetches == [CERT_URL]
    s3.chains[CERT_URL] = good_cert.chain_pem  # S3 is back
    ticks.now += FAILED_FETCH_SECONDS
    verifier.check_signature(CERT_URL, good_cert.sign(body), body)
    assert s3.fetches == [CERT_URL, CERT_URL]


@pytest.mark.parametrize("url", [
    "https://s3.amazonaws.com/echo.api/echo-api-cert-1%32.pem",
    "https://s3.amazonaws.com/echo.api/%65cho-api-cert-12.pem",
    "https://s3.amazonaws.com/echo.api/..%2Fecho.api/echo-api-cert-12.pem",
])
def test_percent_escaped_variants_of_the_url_are_refused_unfetched(alexa, url):
    alexa.s3.chains[url] = alexa.cert.chain_pem
    body = launch_body()
    assert_refused(alexa.send(body, alexa.cert.headers(body, url=url)))
    assert alexa.s3.fetches == []


@pytest.mark.parametrize("case", [
    _at(timedelta(seconds=-151)),
    _for_skill("amzn1.ask.skill.someone-else", "both"),
    _headers(Signature_256="c2lnbmF0dXJl"),  # 9 bytes: not an RSA signature
], ids=["stale timestamp", "another skill", "signature of the wrong length"])
def test_a_request_refused_for_a_cheap_reason_causes_no_fetch(authority, alexa, case):
    alexa.s3.chains.clear()
    assert_refused(case(authority, alexa))
    assert alexa.s3.fetches == []


def test_new_urls_are_fetched_within_a_budget_and_a_known_one_still_works(authority, good_cert):
    ticks = Ticks()
    s3 = FakeS3({stranger_url(n): b"not a chain" for n in range(20)} | {CERT_URL: good_cert.chain_pem})
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=s3, budget=FetchBudget(clock=ticks))
    body = launch_body()
    verifier.check_signature(CERT_URL, good_cert.sign(body), body)
    for n in range(20):
        with pytest.raises(VerificationFailed):
            verifier.check_signature(stranger_url(n), good_cert.sign(body), body)
    assert len(s3.fetches) == NEW_URL_BURST  # the known URL, then strangers until the budget was spent
    verifier.check_signature(CERT_URL, good_cert.sign(body), body)  # cached: no budget needed
    ticks.now += 60
    with pytest.raises(VerificationFailed):
        verifier.check_signature(stranger_url(20), good_cert.sign(body), body)
    assert len(s3.fetches) == NEW_URL_BURST + 1


def test_many_requests_for_one_new_url_cause_one_fetch(authority, good_cert):
    release = threading.Event()

    def slow_s3(url: str) -> bytes:
        fetches.append(url)
        release.wait(5)
        return good_cert.chain_pem

    fetches: list[str] = []
    verifier = RequestVerifier([authority.root_cert], clock=Clock(), load_chain=slow_s3)
    body = launch_body()
    signature = good_cert.sign(body)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(verifier.check_signature(CERT_URL, signature, body)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # all eight are waiting on the one fetch
    release.set()
    for thread in threads:
        thread.join(10)
    assert fetches == [CERT_URL] and results == [None] * 8
