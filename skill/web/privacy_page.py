"""``GET /privacy``: the privacy notice (``content/privacy.md``), so a web-service owner has a URL to give Amazon.

Rendered once, when the app is built, from the small subset of Markdown the notice uses
(headings, paragraphs, lists, bold), with every character of the text HTML-escaped first.
"""

from __future__ import annotations

import html
import re

from flask import Blueprint, Response

from skill.runtime.resources import content_dir

PRIVACY_FILE = "privacy.md"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:1.05rem/1.55 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}</style>
</head><body>
{body}
</body></html>
"""


def render_notice(markdown: str) -> str:
    """The notice as an HTML page."""
    blocks, title = [], "Privacy notice"
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [line.strip() for line in block.splitlines()]
        if lines[0].startswith("# "):
            title = lines[0][2:]
            blocks.append(f"<h1>{_inline(title)}</h1>")
        elif lines[0].startswith("## "):
            blocks.append(f"<h2>{_inline(lines[0][3:])}</h2>")
        elif lines[0].startswith("- "):
            items = re.split(r"\n- ", "\n" + "\n".join(lines))[1:]
            blocks.append("<ul>" + "".join(f"<li>{_inline(' '.join(i.split()))}</li>" for i in items) + "</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return PAGE.format(title=html.escape(title), body="\n".join(blocks))


def _inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text))


def privacy_blueprint() -> Blueprint:
    """The blueprint serving the notice, read and rendered once."""
    page = render_notice((content_dir() / PRIVACY_FILE).read_text(encoding="utf-8"))
    blueprint = Blueprint("privacy", __name__)

    @blueprint.get("/privacy")
    def privacy() -> Response:
        return Response(page, mimetype="text/html")

    return blueprint
