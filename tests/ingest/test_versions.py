from pathlib import Path

import pytest

from tests.helpers import newsroom, wire_story, write_story

BODY = [
    "North Korea fired two short-range ballistic missiles into the East Sea on Sunday, "
    "the Joint Chiefs of Staff said.",
    "The launch came days after the allies wrapped up joint drills.",
]


def test_a_lead_version_supersedes_the_first_in_answers_latest_and_source(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "nk-missile.txt", wire_story("N. Korea fires missiles into East Sea", BODY))
    write_story(
        corpus,
        "nk-missile-lead.txt",
        wire_story(
            "(LEAD) N. Korea fires two ballistic missiles into East Sea",
            [BODY[0].replace("two", "three"), BODY[1], "The missiles flew about 350 kilometers."],
        ),
    )
    room = newsroom(corpus, tmp_path / "cache")

    answer = room.ask("How many missiles did North Korea fire into the East Sea?")
    assert [c.article_id for c in answer.citations] == ["nk-missile-lead"]
    assert "three" in answer.citations[0].text
    assert [a.article_id for a in room.latest()] == ["nk-missile-lead"]

    old = room.source("nk-missile")
    assert old is not None and old.superseded
    assert old.article.article_id == "nk-missile-lead"
    assert old.versions == ("nk-missile-lead", "nk-missile")
    assert (corpus / "nk-missile.txt").exists()  # older versions stay on disk


def test_second_ld_beats_lead_whatever_the_file_order(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "a.txt", wire_story("(2nd LD) N. Korea fires ballistic missiles", BODY))
    write_story(corpus, "b.txt", wire_story("(LEAD) N. Korea fires ballistic missiles", BODY))
    write_story(corpus, "c.txt", wire_story("(URGENT) N. Korea fires ballistic missiles", BODY))
    room = newsroom(corpus, tmp_path / "cache")
    assert [a.article_id for a in room.latest()] == ["a"]
    assert room.latest()[0].version_tag == "2nd LD"


def test_unrelated_stories_of_the_same_day_stay_apart(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "a.txt", wire_story("N. Korea fires ballistic missiles", BODY))
    write_story(
        corpus,
        "b.txt",
        wire_story(
            "Samsung unveils new foldable phone",
            ["Samsung Electronics Co. unveiled its latest foldable smartphone on Sunday."],
        ),
    )
    room = newsroom(corpus, tmp_path / "cache")
    assert sorted(a.article_id for a in room.latest()) == ["a", "b"]


def test_versions_sharing_a_slug_group_even_when_headlines_change(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(
        corpus,
        "a.md",
        "---\ntitle: Parliament passes budget\nslug: Budget-vote\n"
        "published: 2024-12-10\nsource: Yonhap\n---\nThe National Assembly passed it.\n",
    )
    write_story(
        corpus,
        "b.md",
        "---\ntitle: (LEAD) Assembly approves record 677 tln-won plan\n"
        "slug: Budget-vote\npublished: 2024-12-10\nsource: Yonhap\n---\n"
        "The National Assembly approved a record budget.\n",
    )
    room = newsroom(corpus, tmp_path / "cache")
    assert [a.article_id for a in room.latest()] == ["b"]


@pytest.mark.parametrize("tag", ["", "(LEAD) "])
def test_a_similar_headline_over_a_different_body_is_a_different_story(tmp_path: Path, tag: str):
    # Untagged: never merged on similarity. Tagged: a re-send keeps most of its body.
    corpus = tmp_path / "corpus"
    write_story(corpus, "a.txt", wire_story("N. Korea fires missile into East Sea", BODY))
    artillery = [
        "North Korea fired about 200 artillery rounds near the western border island.",
        "Residents of Yeonpyeong were told to evacuate.",
    ]
    write_story(
        corpus, "b.txt", wire_story(f"{tag}N. Korea fires artillery into West Sea", artillery)
    )
    room = newsroom(corpus, tmp_path / "cache")
    assert sorted(a.article_id for a in room.latest()) == ["a", "b"]


def test_web_ids_differing_only_in_version_digits_are_one_story(tmp_path: Path):
    corpus = tmp_path / "corpus"
    for name, web_id, title in (
        ("v0.md", "AEN20200506000700325", "Talks stall"),
        ("v1.md", "AEN20200506000751325", "(LEAD) Talks stall again"),
    ):
        write_story(
            corpus,
            name,
            f"---\ntitle: {title}\nurl: https://en.yna.co.kr/view/{web_id}\n"
            "---\nNegotiators failed to agree on Tuesday.\n",
        )
    write_story(
        corpus,
        "other.md",
        "---\ntitle: Other\nurl: https://en.yna.co.kr/view/"
        "AEN20200506000800325\n---\nA different story entirely.\n",
    )
    room = newsroom(corpus, tmp_path / "cache")
    assert sorted(a.article_id for a in room.latest()) == ["other", "v1"]
