"""The privacy notice: in the repo (content/privacy.md) and at GET /privacy, saying what is kept,
for how long, and how she deletes it; its instructions are things the skill really understands."""

from __future__ import annotations

import pytest

from skill.tools.models import generate
from skill.tools.model_rules import spoken_samples
from skill.web.privacy_page import render_notice
from skill.runtime.resources import content_dir
from skill.web.app import WebConfig, create_app


@pytest.fixture
def page(skill) -> str:
    response = create_app(WebConfig(verify=False), skill=skill).test_client().get("/privacy")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_the_web_service_publishes_what_is_kept_for_how_long_and_how_to_delete_it(page):
    text = " ".join(page.split())
    for said in ("whether you have already heard the introduction", "your place in the guided stretch",
                 "the last topic", "Nothing you say is kept", "It stays until you delete it",
                 "forget me", "disable the skill", "contact your doctor or midwife"):
        assert said in text, said


def test_the_ways_to_delete_her_record_are_things_the_skill_understands():
    notice = (content_dir() / "privacy.md").read_text(encoding="utf-8")
    samples = spoken_samples(generate("en-US"))
    assert '"Alexa, ask Cramp Coach to forget me"' in notice and "forget me" in samples
    assert "delete my data" in notice and "delete my data" in samples


def test_the_notice_is_escaped_so_its_text_can_never_become_markup():
    page = render_notice("# A <b> & B\n\nSay **this** <script>x</script>\n\n- one\n- two")
    assert "<h1>A &lt;b&gt; &amp; B</h1>" in page
    assert "<p>Say <strong>this</strong> &lt;script&gt;x&lt;/script&gt;</p>" in page
    assert "<ul><li>one</li><li>two</li></ul>" in page
