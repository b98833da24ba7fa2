"""The index: a SQLite catalog of articles and passages plus an engine, in step with the corpus."""

from bot._lazy import exports

__all__ = ["Catalog", "CatalogError", "NewsIndex", "Report", "open_index"]
__getattr__ = exports(
    __name__,
    {
        "NewsIndex": ".newsindex",
        "open_index": ".newsindex",
        "Report": ".newsindex",
        "Catalog": ".catalog",
        "CatalogError": ".catalog",
    },
)
