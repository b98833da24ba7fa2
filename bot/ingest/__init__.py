"""Ingestion: corpus files read into Articles (wire copy, dates, readers, versions, scans)."""

from bot._lazy import exports

__all__ = [
    "Article",
    "ArticleError",
    "CorpusError",
    "FileState",
    "Paragraph",
    "Published",
    "Scan",
    "group_versions",
    "parse_bytes",
    "scan",
    "version_rank",
]
__getattr__ = exports(
    __name__,
    {
        "Article": ".articles",
        "Paragraph": ".articles",
        "version_rank": ".articles",
        "Published": ".dates",
        "parse_bytes": ".readers",
        "ArticleError": ".readers",
        "group_versions": ".versions",
        "scan": ".corpus",
        "Scan": ".corpus",
        "CorpusError": ".corpus",
        "FileState": ".corpus",
    },
)
