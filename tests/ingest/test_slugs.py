"""Slugs: one rule for article ids, feed folders and feed story names."""

from __future__ import annotations

from bot.ingest.slugs import slug


def test_a_slug_folds_case_and_runs_of_other_characters_into_one_dash():
    assert slug("US Expects_Talks!", 80) == "us-expects-talks"
    assert slug("Séoul talks", 80) == "séoul-talks"
    assert slug("Séoul talks", 80, ascii_only=True) == "s-oul-talks"


def test_a_long_slug_keeps_a_digest_so_two_long_names_stay_apart():
    one, two = "a" * 90 + " one", "a" * 90 + " two"
    assert len(slug(one, 80)) == 80 and slug(one, 80) != slug(two, 80)
    assert slug(one, 80).startswith("a" * 71 + "-")


def test_a_long_title_is_cut_at_a_word_when_people_read_it():
    title = "Harbor City opens new ferry terminal after three years of work"
    assert slug(title, 60, shorten="words") == (
        "harbor-city-opens-new-ferry-terminal-after-three-years-of"
    )


def test_nothing_left_gives_the_fallback_or_a_stable_digest():
    assert slug("___", 80, empty="story") == "story"
    assert slug("서울", 60, ascii_only=True) == slug("서울", 60, ascii_only=True)
    assert len(slug("서울", 60, ascii_only=True)) == 12
