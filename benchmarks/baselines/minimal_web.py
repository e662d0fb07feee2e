"""The minimal skill as a web service (``gunicorn benchmarks.baselines.minimal_web:app``).

What flask-ask-sdk's SkillAdapter does with verification off: the body straight into the
SDK's serializer, the skill, and the response back as JSON.
"""

from ask_sdk_model import RequestEnvelope
from flask import Flask, jsonify, request

from benchmarks.baselines.minimal_skill import build_minimal_skill

app = Flask(__name__)
skill = build_minimal_skill()


@app.post("/alexa")
def alexa():
    request_envelope = skill.serializer.deserialize(request.get_data(as_text=True), RequestEnvelope)
    response_envelope = skill.invoke(request_envelope=request_envelope, context=None)
    return jsonify(skill.serializer.serialize(response_envelope))
