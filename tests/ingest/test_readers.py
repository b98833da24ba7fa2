"""Reading corpus files into Articles (readers): wire .txt, Markdown with YAML front matter,
JSON Lines, and the ways a file can be unreadable."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest import readers
from bot.ingest.articles import Article
from bot.ingest.readers import (
    KEYS,
    SUFFIXES,
    ArticleError,
    article_from_record,
    article_from_wire,
    base_id,
    decode,
    read_file,
    split_front_matter,
)
from bot.ingest.wire import parse_wire
from tests.helpers import FIXTURES as SHARED_FIXTURES
from tests.helpers import SEED

FIXTURES = SHARED_FIXTURES / "wire"

LEAD = "WASHINGTON, May 5 (Yonhap) -- The talks will resume soon, a U.S. official said Tuesday."


def read_one(path: Path, relative: str | None = None) -> Article:
    articles = read_file(path, relative or path.name)
    assert len(articles) == 1
    return articles[0]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def markdown(front: str, body: str = f"{LEAD}\nSecond paragraph.\n") -> str:
    return f"---\n{front}\n---\n\n{body}"


# --- the seed story --------------------------------------------------------------------------


@pytest.mark.skipif(not SEED.exists(), reason="seed story not in corpus/ yet")
def test_seed_story_reads_with_an_honestly_unknown_year():
    article = read_one(SEED, "yonhap/us-expects-s-korea-flexible-cost-sharing.txt")
    assert article.title == (
        "U.S. expects S. Korea to be flexible in defense cost-sharing talks: official"
    )
    assert article.tags == ()
    assert article.byline == "Lee Haye-ah"
    assert article.dateline == "WASHINGTON"
    assert article.source == "Yonhap"
    assert article.article_id == "us-expects-s-korea-flexible-cost-sharing"
    published = article.published
    assert published is not None
    assert (published.month, published.day, published.year) == (5, 5, None)
    assert 2020 in published.candidates
    assert published.label() == "May 5, year unknown"
    assert published.iso() == "--05-05"
    assert article.paragraphs[-1].is_caption
    assert "hague@yna.co.kr" not in article.text
    assert "SsangYong" not in article.text and "(2nd LD)" not in article.text


# --- fixtures, one per copy style ----------------------------------------------------------


def test_raw_wire_file_reads_with_a_probable_year_from_the_body():
    article = read_one(FIXTURES / "raw_wire_lead.txt")
    assert article.title == "Gyeonggi city opens floating library on reservoir"
    assert article.version_tag == "LEAD"
    assert article.published is not None
    assert article.published.label() == "September 14, 2022?"  # Wednesday; "held in 2021"
    assert article.published.iso() == "2022-09-14?"


def test_naver_markdown_copy_uses_front_matter_with_tabs_and_the_dateline_agency():
    article = read_one(FIXTURES / "naver_glued.md")
    assert article.title == "Fire breaks out on ferry near Mokpo, all 42 aboard rescued"
    assert article.tags == ("LEAD",)
    assert article.byline == "김현수"  # front matter beats the glued English byline
    assert article.source == "Yonhap"  # "연합뉴스" in front matter; the dateline names the agency
    assert article.slug == "Harbor-ferry fire"
    assert article.editor_note == "ATTN: ADDS details in paras 3-4"
    assert article.published is not None and article.published.iso() == "2025-12-28"
    assert article.published.time == "09:30"
    assert article.url == "https://n.news.naver.com/mnews/article/001/0000000001"
    assert "Crawled at" not in article.text and "원문" not in article.text
    assert len(article.paragraphs) == 1  # Naver runs the paragraphs together


def test_naver_text_copy_without_metadata_reads_from_the_glued_line():
    article = read_one(FIXTURES / "naver_glued.txt")
    assert article.title == "Fire breaks out on ferry near Mokpo, all 42 aboard rescued"
    assert article.byline == "Kim Hyun-soo"
    assert article.published is not None
    assert article.published.year is None  # Sunday, Dec. 28: several years fit, none chosen
    assert 2025 in article.published.candidates


def test_republished_copy_is_dated_by_its_page_and_credited_to_yonhap():
    article = read_one(FIXTURES / "korea_herald.txt")
    assert article.source == "Yonhap"
    assert article.byline is None
    assert article.published is not None and article.published.label() == "August 2, 2021"


def test_page_stamp_dates_the_story_and_a_file_photo_date_does_not():
    article = read_one(FIXTURES / "page_copy_all_news.txt")
    assert article.published is not None
    assert article.published.label() == "July 11, 2023"
    assert article.published.basis == "page stamp"


def test_truncated_copy_without_a_date_is_read_undated():
    article = read_one(FIXTURES / "truncated.txt")
    assert article.published is None
    assert article.dateline == "SEOUL"
    assert len(article.paragraphs) == 3


def test_wikinews_image_credits_are_captions():
    article = read_one(FIXTURES / "wikinews_captions.md")
    assert [p.is_caption for p in article.paragraphs] == [True, False, False, True]
    assert article.source == "Wikinews"
    assert article.license == "CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/)"
    assert article.published is not None and article.published.label() == "June 3, 2014"


def test_ninjs_jsonl_keeps_good_records_and_skips_bad_lines():
    articles = read_file(FIXTURES / "ninjs.jsonl", "wire/ninjs.jsonl")
    assert [a.article_id for a in articles] == ["ninjs-1", "ninjs-bell-1"]
    rice, bell = articles
    assert rice.title == "Farmers plant rice early as spring arrives in south"
    assert rice.tags == ("LEAD",)
    assert rice.byline == "Lee Mina"
    assert rice.url == "https://en.yna.co.kr/view/AEN20240311004500315"
    assert rice.web_id == "AEN20240311004500315"
    assert rice.published is not None and rice.published.iso() == "2024-03-11"
    assert rice.published.time == "10:15"
    assert "mina@yna.co.kr" not in rice.text
    assert bell.byline == "Kim Soo-bin"
    assert len(bell.paragraphs) == 2  # body_text given as a list of paragraphs


def test_jsonl_with_only_bad_lines_says_which_lines_and_why(tmp_path):
    path = write(tmp_path, "bad.jsonl", '{"headline": \n[1]\n{"headline": "Only a title"}\n')
    with pytest.raises(ArticleError) as error:
        read_file(path, "bad.jsonl")
    message = str(error.value)
    assert "line 1" in message and "line 2: not a JSON object" in message
    assert "line 3: no body text" in message


def test_jsonl_ids_stay_unique_when_records_share_an_id(tmp_path):
    record = {"headline": "Same id", "body_text": "SEOUL (Yonhap) -- Text.", "id": "x"}
    path = write(tmp_path, "dupes.jsonl", f"{json.dumps(record)}\n{json.dumps(record)}\n")
    ids = [a.article_id for a in read_file(path, "dupes.jsonl")]
    assert ids == ["dupes-x", "dupes-2"]


# --- front matter key aliases --------------------------------------------------------------


@pytest.mark.parametrize("key", ["date", "published", "published_at", "pubDate"])
def test_each_date_key_is_read(tmp_path, key):
    path = write(tmp_path, "s.md", markdown(f"title: Talks resume\n{key}: '2020-05-05'"))
    article = read_one(path)
    assert article.published is not None and article.published.label() == "May 5, 2020"


@pytest.mark.parametrize("key", ["url", "link"])
def test_each_url_key_is_read(tmp_path, key):
    path = write(tmp_path, "s.md", markdown(f"title: Talks resume\n{key}: https://x.org/a"))
    assert read_one(path).url == "https://x.org/a"


@pytest.mark.parametrize("key", ["author", "byline"])
def test_each_author_key_is_read(tmp_path, key):
    path = write(tmp_path, "s.md", markdown(f"title: Talks resume\n{key}: Jane Roe"))
    assert read_one(path).byline == "Jane Roe"


@pytest.mark.parametrize("key", ["source", "publisher", "agency"])
def test_each_source_key_is_read(tmp_path, key):
    body = "The talks will resume soon, an official said.\n"
    path = write(tmp_path, "s.md", markdown(f"title: Talks resume\n{key}: Example Wire", body))
    assert read_one(path).source == "Example Wire"


def test_title_key_gives_the_title_and_body_has_no_headline_line(tmp_path):
    path = write(tmp_path, "s.md", markdown("title: '(LEAD) Talks resume'"))
    article = read_one(path)
    assert (article.title, article.tags) == ("Talks resume", ("LEAD",))
    assert article.paragraphs[0].text == LEAD


def test_markdown_without_title_takes_the_headline_from_the_body(tmp_path):
    path = write(tmp_path, "s.md", f"# Talks resume\n\n{LEAD}\n")
    article = read_one(path)
    assert article.title == "Talks resume"
    assert article.paragraphs[0].text == LEAD


def test_korean_author_with_mailbox_keeps_the_name_only(tmp_path):
    front = "title: Talks resume\nauthor: 강재은(fairydust@yna.co.kr)"
    path = write(tmp_path, "s.md", markdown(front))
    assert read_one(path).byline == "강재은"


def test_metadata_date_beats_the_inferred_year(tmp_path):
    # The body alone would infer 2020 (Tuesday + "2019"); the front matter says otherwise.
    body = f"{LEAD}\nThe deal expired in 2019.\n"
    path = write(tmp_path, "s.md", markdown("title: Talks resume\ndate: 2015-05-05", body))
    article = read_one(path)
    assert article.published is not None
    assert article.published.label() == "May 5, 2015"
    assert article.published.year_certain


def test_web_id_in_the_url_gives_a_certain_date(tmp_path):
    url = "https://en.yna.co.kr/view/AEN20200506000700325"
    path = write(tmp_path, "s.md", markdown(f"title: Talks resume\nurl: {url}"))
    article = read_one(path)
    assert article.web_id == "AEN20200506000700325"
    assert article.published is not None
    assert article.published.iso() == "2020-05-06"
    assert article.published.basis == "web id"


def test_year_mentioned_in_the_body_gives_a_probable_year(tmp_path):
    path = write(tmp_path, "s.txt", f"Talks resume\n{LEAD}\nThe last deal expired in 2019.\n")
    article = read_one(path)
    assert article.published is not None
    assert article.published.label() == "May 5, 2020?"
    assert article.published.iso() == "2020-05-05?"


def test_a_file_photo_date_in_a_caption_does_not_date_the_story(tmp_path):
    text = "\n".join(
        [
            "Missile launch condemned",
            "SEOUL, Sept. 13 (Yonhap) -- The government condemned the launch on Wednesday.",
            "This file photo, taken Aug. 31, 2023, shows a launch on TV. (Yonhap)",
            "(END)",
        ]
    )
    article = read_one(write(tmp_path, "s.txt", text))
    assert article.published is not None
    assert article.published.year is None  # 2023 appears only in the caption
    assert 2023 in article.published.candidates


def test_txt_file_with_front_matter_is_read_as_a_record(tmp_path):
    path = write(tmp_path, "s.txt", markdown("title: Talks resume\npublished_at: 2020-05-05"))
    article = read_one(path)
    assert article.title == "Talks resume"
    assert article.published is not None and article.published.year == 2020


def test_txt_file_opening_with_a_rule_that_is_not_yaml_is_read_as_wire_copy(tmp_path):
    path = write(tmp_path, "s.txt", f"---\n: [ not yaml\n---\nTalks resume\n{LEAD}\n")
    assert read_one(path).title == "Talks resume"


# --- front matter errors -------------------------------------------------------------------


def test_invalid_yaml_front_matter_is_refused_with_the_line(tmp_path):
    path = write(tmp_path, "s.md", "---\ntitle: Talks\nurl: [unclosed\n---\nBody.\n")
    with pytest.raises(ArticleError, match=r"front matter is not valid YAML \(line \d+\)"):
        read_file(path, "s.md")


def test_front_matter_that_is_a_list_is_refused(tmp_path):
    path = write(tmp_path, "s.md", "---\n- title\n- date\n---\nBody.\n")
    with pytest.raises(ArticleError, match="front matter is a list, not a mapping"):
        read_file(path, "s.md")


def test_split_front_matter_returns_the_body_after_the_block():
    meta, body = split_front_matter("---\ntitle: A\n...\nBody text\n")
    assert meta == {"title": "A"}
    assert body == "Body text\n"


def test_split_front_matter_without_a_block_returns_all_text_as_body():
    assert split_front_matter("No front matter\n---\n") == ({}, "No front matter\n---\n")


def test_empty_front_matter_is_an_empty_mapping():
    assert split_front_matter("---\n\n---\nBody\n") == ({}, "Body\n")


def test_tabs_in_front_matter_are_tolerated_only_where_yaml_would_fail():
    meta, _ = split_front_matter("---\ntitle: A\nauthor: \n\t\t\n\t\t\tKim(k@yna.co.kr)\n---\nB\n")
    assert meta["author"] == "Kim(k@yna.co.kr)"


# --- missing parts -------------------------------------------------------------------------


def test_story_without_a_headline_is_titled_by_its_lead_sentence(tmp_path):
    path = write(tmp_path, "s.txt", f"{LEAD}\nMore text.\n")
    (article,) = read_file(path, "s.txt")
    assert article.title_derived and article.title
    assert not article.title.startswith("SEOUL")


def test_story_without_body_text_is_refused_with_a_reason(tmp_path):
    path = write(tmp_path, "s.md", markdown("title: Talks resume", "\n"))
    with pytest.raises(ArticleError, match="no body text"):
        read_file(path, "s.md")


def test_article_from_wire_refuses_copy_without_headline():
    with pytest.raises(ArticleError, match="no headline"):
        article_from_wire(parse_wire(""), {}, "x.txt", "x")


def test_article_from_record_uses_metadata_title_over_the_body():
    article = article_from_record({"headline": "From metadata"}, LEAD, "r.jsonl", "r-1")
    assert article.title == "From metadata"
    assert article.article_id == "r-1"


def test_metadata_values_of_odd_types_do_not_leak_into_fields():
    meta = {"title": "T", "author": {"role": "writer"}, "source": ["Wire A", {"name": "Wire B"}]}
    article = article_from_record(meta, "Text.", "r.md", "r")
    assert article.byline is None
    assert article.source == "Wire A, Wire B"


# --- bytes and files -----------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \n\t\n"])
def test_empty_file_is_refused(tmp_path, raw):
    with pytest.raises(ArticleError, match="empty file"):
        read_file(write(tmp_path, "e.txt", raw), "e.txt")


def test_binary_file_is_refused(tmp_path):
    raw = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    with pytest.raises(ArticleError, match="binary"):
        read_file(write(tmp_path, "b.txt", raw), "b.txt")


def test_invalid_utf8_falls_back_to_windows_1252(tmp_path):
    raw = b"Caf\xe9 owners protest rent rise\nSEOUL (Yonhap) -- Caf\xe9 owners \x93marched\x94.\n"
    article = read_one(write(tmp_path, "c.txt", raw))
    assert article.title == "Café owners protest rent rise"
    assert "“marched”" in article.text


def test_decode_reads_utf8_with_bom_and_utf16():
    assert decode("\ufeffTitle".encode()) == "Title"
    assert decode("Title\n".encode("utf-16")) == "Title\n"


def test_missing_file_is_refused_with_a_reason(tmp_path):
    with pytest.raises(ArticleError, match="cannot read"):
        read_file(tmp_path / "absent.txt", "absent.txt")


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)
    with pytest.raises(ArticleError, match="over the"):
        read_file(write(tmp_path, "big.txt", "x" * 100), "big.txt")


# --- ids and tables --------------------------------------------------------------------------


def test_base_id_is_a_readable_slug_of_the_file_name_without_folder_or_suffix():
    assert base_id("yonhap/US Expects_Talks.txt") == "us-expects-talks"
    assert base_id("README") == "readme"
    assert base_id("가나다.md") == "가나다"
    assert base_id("!!!.md") == "story"


def test_base_id_of_a_long_path_is_short_and_stable():
    long_path = "a/" + "word-" * 40 + ".txt"
    made = base_id(long_path)
    assert len(made) <= 80 and made == base_id(long_path)
    assert made != base_id(long_path.replace("word", "wore"))


def test_key_table_and_suffixes_cover_the_documented_aliases():
    assert {"date", "published", "published_at", "pubDate"} <= set(KEYS["date"])
    assert {"url", "link"} <= set(KEYS["url"]) and {"author", "byline"} <= set(KEYS["byline"])
    assert {"source", "publisher", "agency"} <= set(KEYS["source"])
    assert {"headline", "title"} <= set(KEYS["title"]) and "body_text" in KEYS["body"]
    assert {"versioncreated", "uri"} <= set(KEYS["date"]) | set(KEYS["url"])
    assert set(SUFFIXES) == {".txt", ".md", ".markdown", ".jsonl"}


# --- robustness ----------------------------------------------------------------------------

FILE_PIECES = st.sampled_from(
    [
        b"---\n",
        b"title: ",
        b"date: 2020-13-45\n",
        b"\t",
        b"[",
        b"{",
        b'{"headline": "H"}',
        b"(END)",
        b"SEOUL, May 5 (Yonhap) -- ",
        b"\n",
        b"\xff\xfe",
        b"\xe9",
        b"\x00",
        b"&#13;",
        b"<br/>",
        b"- a\n",
        b"!!python/object:os.system\n",
        b"*alias\n",
        b"&anchor x\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(FILE_PIECES, st.binary(max_size=30)), max_size=25),
    st.sampled_from(SUFFIXES),
)
def test_read_file_on_arbitrary_bytes_raises_only_article_error(pieces, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"story{suffix}"
        path.write_bytes(b"".join(pieces))
        try:
            articles = read_file(path, path.name)
        except ArticleError as error:
            assert str(error)
        else:
            assert all(a.title and a.paragraphs for a in articles)


# --- the libyaml fast path reads front matter exactly as the pure-Python loader ------------


def _pure_outcome(block: str) -> tuple[str, str]:
    """What the pure-Python SafeLoader makes of a block (aliases refused, as front matter
    refuses them): its value, or its error message."""
    try:
        return "value", repr(yaml.load(block, Loader=readers._NoAliasLoader))
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as error:
        return "error", str(error)


def _outcome(block: str) -> tuple[str, str]:
    try:
        return "value", repr(readers._load_yaml(block))
    except yaml.YAMLError as error:
        # The pure loader's own errors pass through; the others arrive wrapped, message kept.
        return "error", str(error)


@pytest.mark.parametrize(
    ("block", "meta"),
    [
        ("title: !", {"title": None}),  # libyaml reads a bare "!" node as "" instead
        ("title: A\nbody: |\n  x\n", {"title": "A", "body": "x\n"}),
        (
            '{"title": "Why? Because", "source": "Reuters"}',
            {"title": "Why? Because", "source": "Reuters"},
        ),
    ],
)
def test_front_matter_values_are_the_pure_loaders(block, meta):
    assert split_front_matter(f"---\n{block}\n---\nBody\n")[0] == meta


@pytest.mark.parametrize(
    "block",
    [
        "title:\tTalks resume",  # a tab after the colon: libyaml alone accepts it
        "title: Talks\t",
        "tags: [Really?]",  # "?" in a flow collection
        "body: |#\n  text",  # a comment glued to a block scalar header
    ],
)
def test_front_matter_only_libyaml_would_accept_is_still_refused(block):
    with pytest.raises(ArticleError, match="front matter is not valid YAML"):
        split_front_matter(f"---\n{block}\n---\nBody\n")


YAML_TEXT = [
    "title", "date", ": ", ":", "- ", "? ", "?", "\n", "\n  ", "  ", "\t", "[", "]", "{", "}",
    ", ", "#", " #c", "'", '"', "|", ">", "|-", "&a ", "*a", "!", "! ", "!!str ", "%", "@",
    "`", "\\", "~", "null", "yes", "2020-01-05", "2020-13-45", "12:30", "1e3", "0x1F", "é",
    "강", "\x85", "\u2028", "\ufeff", "\r\n", "...", "---", "Talks resume", "a'b",
]  # fmt: skip
YAML_PIECES = st.sampled_from(YAML_TEXT)


@settings(max_examples=1500, deadline=None)
@given(st.lists(YAML_PIECES, max_size=16).map("".join))
def test_front_matter_loader_agrees_with_the_pure_loader_on_any_block(block):
    assert _outcome(block) == _pure_outcome(block)
