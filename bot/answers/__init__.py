"""Answers: the best passages for a question, one per story, with numbered citations."""

from bot._lazy import exports

__all__ = ["Answer", "Citation", "QuestionError", "ask", "clean_question", "respond"]
__getattr__ = exports(
    __name__,
    {
        "Answer": ".ask",
        "Citation": ".ask",
        "ask": ".ask",
        "respond": ".respond",
        "QuestionError": ".ask",
        "clean_question": ".ask",
    },
)
