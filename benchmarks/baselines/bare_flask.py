"""The floor: Flask answering every POST with fixed JSON (``gunicorn benchmarks.baselines.bare_flask:app``)."""

from flask import Flask, jsonify

app = Flask(__name__)
ANSWER = {
    "version": "1.0",
    "response": {
        "outputSpeech": {"type": "SSML", "ssml": "<speak>Gently pull your toes up toward your knee.</speak>"},
        "shouldEndSession": False,
    },
}


@app.post("/alexa")
def alexa():
    return jsonify(ANSWER)
