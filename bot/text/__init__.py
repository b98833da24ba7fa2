"""Text: passages under a token budget, sentences, and the analyzer for passages and questions."""

from bot._lazy import exports

__all__ = ["Passage", "analyze", "passage_terms", "sentences", "split_article", "split_articles"]
__getattr__ = exports(
    __name__,
    {
        "Passage": ".passages",
        "split_article": ".passages",
        "split_articles": ".passages",
        "sentences": ".passages",
        "passage_terms": ".analysis",
        "analyze": ".analysis",
    },
)
