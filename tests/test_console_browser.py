"""The console in a real headless Chromium, against a real ``cramp-coach serve --console``.

She types, reads the answer and the card, walks the stretch and sees "Step 3 of 6" with its
progress bar, starts over. Speech can't be heard or spoken headless, so a stand-in microphone
and voice (injected before the page loads) prove the hands-free loop, and the page is also
opened with no speech at all. Screenshots at phone and desktop width go to tests/artifacts/.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import expect, sync_playwright

from test_serve import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_SCREENSHOT_BYTES = 10_000  # a blank page is a few hundred bytes

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is not installed (CI installs Debian's chromium: apt-get install -y chromium)",
)

NO_SPEECH = """
for (const name of ["SpeechRecognition", "webkitSpeechRecognition", "speechSynthesis", "SpeechSynthesisUtterance"]) {
  delete window[name];
}
"""

# A microphone that hears the next scripted phrase each time it is started (then nothing), and
# a voice that finishes at once; time is sped up so the held counts don't hold the test.
STAND_IN_SPEECH = """
(() => {
  const phrases = %s;
  const later = window.setTimeout.bind(window);
  window.__listened = 0;
  window.__spoken = [];
  window.__pauses = [];
  window.setTimeout = (callback, ms, ...rest) => {
    if (ms >= 1000) window.__pauses.push(ms);
    return later(callback, Math.min(ms || 0, 5), ...rest);
  };
  class StandInRecognition {
    start() {
      window.__listened += 1;
      const words = phrases.shift();
      later(() => {
        if (words === undefined) {
          this.onerror && this.onerror({ error: "no-speech" });
        } else {
          const result = [{ transcript: words, confidence: 0.95 }];
          result.isFinal = true;
          this.onresult && this.onresult({ results: [result], resultIndex: 0 });
        }
        this.onend && this.onend();
      }, 20);
    }
    stop() { this.onend && this.onend(); }
    abort() { this.onend && this.onend(); }
  }
  window.SpeechRecognition = StandInRecognition;
  window.webkitSpeechRecognition = StandInRecognition;
  const voice = {
    speak(utterance) {
      window.__spoken.push({ text: utterance.text, rate: utterance.rate });
      later(() => utterance.onend && utterance.onend(), 5);
    },
    cancel() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: voice, configurable: true });
})();
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("console"), "--console", "--store", "memory")
    running.wait_until_healthy()
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_console(browser, server) -> Iterator[Callable]:
    """Open the console in a fresh browser context; every request must stay on the server."""
    contexts, elsewhere, page_errors = [], [], []

    def opener(viewport: dict = DESKTOP, color_scheme: str = "light", init_script: str = ""):
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme, reduced_motion="reduce")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if init_script:
            page.add_init_script(init_script)
        page.on("request", lambda request: None if request.url.startswith(f"{server.url}/")
                else elsewhere.append(request.url))
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on("console", lambda message: page_errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{server.url}/")
        return page

    yield opener
    for context in contexts:
        context.close()
    assert elsewhere == [], "the console fetched something from outside"
    assert page_errors == [], "the page reported errors (a script error, or a Content-Security-Policy violation)"


def say(page, text: str) -> None:
    """She types and presses Enter; wait for the answer."""
    answers = page.locator(".turn.coach").count()
    page.fill("#said", text)
    page.press("#said", "Enter")
    expect(page.locator(".turn.coach")).to_have_count(answers + 1)


def walk_three_steps(page) -> None:
    for text in ("walk me through a stretch", "next", "next"):
        say(page, text)


def test_she_types_a_question_and_sees_the_answer_and_the_card(open_console):
    page = open_console()
    expect(page.locator("#disclaimer")).to_contain_text("General tips, not medical advice")
    say(page, "what helps leg cramps")
    expect(page.locator(".turn.you").last).to_contain_text("what helps leg cramps")
    expect(page.locator(".turn.you").last).to_contain_text("understood as CrampNowIntent")
    expect(page.locator(".turn.coach").last).to_contain_text("toes")
    expect(page.locator("#card")).to_be_visible()
    expect(page.locator("#card-title")).to_have_text("A cramp right now")
    expect(page.locator("#answer-live")).to_contain_text("doctor or midwife")
    expect(page.locator("#step")).to_be_hidden()


def test_three_steps_of_the_stretch_show_step_3_of_6_and_the_progress_bar(open_console):
    page = open_console()
    walk_three_steps(page)
    expect(page.locator("#step")).to_be_visible()
    expect(page.locator("#step-heading")).to_have_text("Step 3 of 6")
    expect(page.locator("#step-progress")).to_have_attribute("aria-valuenow", "50")
    expect(page.locator("#step-hold")).to_have_text("Hold for 10 seconds")
    track = page.locator("#step-progress").bounding_box()
    bar = page.locator("#step-progress-bar").bounding_box()
    assert bar["width"] == pytest.approx(track["width"] / 2, abs=2)


def test_start_over_clears_the_transcript_and_the_session(open_console):
    page = open_console()
    say(page, "walk me through a stretch")
    page.click("#start-over")
    expect(page.locator("#transcript li")).to_have_count(0)
    expect(page.locator("#step")).to_be_hidden()
    expect(page.locator("#display-empty")).to_be_visible()
    expect(page.locator("#said")).to_be_focused()
    say(page, "next")
    expect(page.locator("#step-heading")).not_to_have_text("Step 2 of 6")


def test_bad_input_is_shown_as_an_error_not_sent(open_console):
    page = open_console()
    page.press("#said", "Enter")
    expect(page.locator("#error")).to_have_text("Type what you would say first.")
    expect(page.locator("#transcript li")).to_have_count(0)


def test_a_whole_walkthrough_hands_free_listens_again_until_the_skill_closes(open_console):
    phrases = ["walk me through a stretch", "next", "next", "stop"]
    page = open_console(init_script=STAND_IN_SPEECH % json.dumps(phrases))
    page.click("#mic")  # once
    expect(page.locator(".turn.ended")).to_have_count(1)
    expect(page.locator(".turn.you p")).to_have_text(phrases)
    assert page.evaluate("() => window.__listened") == len(phrases)  # and not again once it closed
    spoken = page.evaluate("() => window.__spoken")
    assert any(part["text"].startswith("Step 3 of 6") for part in spoken)
    assert page.evaluate("() => window.__pauses").count(1500) == 10  # two held counts of five


def test_hands_free_stops_when_nothing_is_heard(open_console):
    page = open_console(init_script=STAND_IN_SPEECH % json.dumps(["what should I eat"]))
    page.click("#mic")
    expect(page.locator("#status")).to_have_text("I didn't hear anything. Tap Speak to try again, or type.")
    expect(page.locator("#mic")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => window.__listened") == 2


def test_typing_never_starts_the_microphone(open_console):
    page = open_console(init_script=STAND_IN_SPEECH % "[]")
    say(page, "what should I eat")
    assert page.evaluate("() => window.__listened") == 0


def test_the_bedtime_answer_is_spoken_slower(open_console):
    page = open_console(init_script=STAND_IN_SPEECH % "[]")
    say(page, "I'm going to bed")
    expect(page.locator("#status")).to_have_text("")
    rates = [part["rate"] for part in page.evaluate("() => window.__spoken")]
    assert rates and all(rate == pytest.approx(0.9) for rate in rates)


def test_without_speech_in_the_browser_she_can_still_type(open_console):
    page = open_console(init_script=NO_SPEECH)
    expect(page.locator("#mic")).to_be_hidden()
    expect(page.locator("#mic-note")).to_be_visible()
    expect(page.locator("#read-aloud")).to_be_disabled()
    expect(page.locator("#voice-note")).to_be_visible()
    say(page, "what should I eat")
    expect(page.locator("#card-title")).to_have_text("Food and drink")


def test_bedtime_colours_can_be_chosen_by_keyboard_and_are_remembered(open_console):
    page = open_console()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    expect(page.locator("#theme-toggle")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "true")
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(13, 20, 19)"
    page.reload()
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(background) == "rgb(13, 20, 19)"


def test_every_control_is_a_large_target_at_phone_width(open_console):
    page = open_console(viewport=PHONE)
    targets = page.locator("button:visible, input[type=text], label.check")
    assert targets.count() >= 9
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, targets.nth(index).inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("name, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_screenshots_at_phone_and_desktop_width(open_console, name, viewport, color_scheme):
    page = open_console(viewport=viewport, color_scheme=color_scheme)
    say(page, "what helps leg cramps")
    walk_three_steps(page)
    page.evaluate("() => window.scrollTo(0, 0)")  # the disclaimer, the step screen and the talk below
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}-{color_scheme}.png"
    page.screenshot(path=str(path))
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > MIN_SCREENSHOT_BYTES
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (viewport["width"], viewport["height"])
