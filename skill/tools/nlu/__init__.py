"""Text → intent + slots, standing in for Alexa's NLU in ``say``, ``chat`` and the browser console.

Split by job: ``normalise`` (her words made comparable), ``compile`` (the ASK model read into
indexed samples), ``match`` (from strict to forgiving; its docstring says how).
"""

from skill.tools.nlu.compile import BUILTIN_PHRASES_FILE, TIME_SLOT_TYPE, ModelError
from skill.tools.nlu.match import FALLBACK_INTENT, LocalUnderstanding, Understanding
from skill.tools.nlu.normalise import FUNCTION_WORDS

__all__ = ["BUILTIN_PHRASES_FILE", "FALLBACK_INTENT", "FUNCTION_WORDS", "TIME_SLOT_TYPE", "LocalUnderstanding",
           "ModelError", "Understanding"]
