"""Answers: the best passages for a question, one per story, with numbered citations.

``bot.answers.ask`` is the module (``ask.ask`` the function): exporting the function under the
module's name would replace the module for whoever imports it after the first lookup.
"""

from bot._lazy import exports

__all__ = ["Answer", "Citation", "QuestionError", "clean_question", "respond"]
__getattr__ = exports(
    __name__,
    {
        "Answer": ".records",
        "Citation": ".records",
        "respond": ".respond",
        "QuestionError": ".records",
        "clean_question": ".records",
    },
)
