"""Front matter read without the YAML loaders is exactly what PyYAML's safe loader reads."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.readers import _simple_yaml, split_front_matter

KEYS = st.one_of(
    st.sampled_from(["title", "source", "published", "byline", "yes", "No", "null", "on", "x_1"]),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
    st.text(max_size=6),
)
VALUES = st.one_of(
    st.text(st.characters(max_codepoint=127), max_size=12).map(lambda t: f'"{t}"'),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.sampled_from(["2019-03-23", "2019-13-01", "2020-02-30", "Reuters", "'x'", '"a\\"b"', "1.5"]),
    st.text(max_size=8),
)
LINES = st.tuples(KEYS, st.sampled_from([": ", ":  ", ":", " : ", ": \t"]), VALUES).map("".join)
BLOCKS = st.lists(LINES, min_size=1, max_size=5).map("\n".join)


def _pure(block: str) -> object:
    try:
        return yaml.load(block, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError):
        return "refused"


@settings(max_examples=1500, deadline=None)
@given(BLOCKS)
def test_a_block_read_directly_is_what_the_safe_loader_reads(block):
    simple = _simple_yaml(block)
    if simple is not None:
        assert simple == _pure(block)
        assert [type(k) for k in simple] == [type(k) for k in _pure(block)]  # type: ignore[union-attr]


def test_the_usual_front_matter_is_read_directly_and_the_rest_by_the_loaders():
    usual = 'title: "OPEC WANTS 18 DLR OIL PRICE"\nsource: "Reuters"\npublished: 2019-03-23'
    assert _simple_yaml(usual) is not None
    for other in ["title: Plain words", 'title: "a \\" b"', "yes: 1", "published: 2019-13-01"]:
        assert _simple_yaml(other) is None
    meta, body = split_front_matter(f"---\n{usual}\n---\n\nBody.\n")
    assert meta == _pure(usual) and body == "\nBody.\n"
