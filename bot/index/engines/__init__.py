"""Search engines behind one small interface: the embedded rank-bm25 engine and tantivy."""

from bot._lazy import exports

__all__ = ["Engine", "EngineKind", "Hit", "IncrementalEngine", "engine_kind", "engines", "idf"]
__getattr__ = exports(
    __name__,
    {
        "Engine": ".base",
        "IncrementalEngine": ".base",
        "Hit": ".base",
        "EngineKind": ".registry",
        "engines": ".registry",
        "engine_kind": ".registry",
        "idf": ".base",
    },
)
