"""The issue-10 question sets: well formed, and held out by the round they were written in."""

from __future__ import annotations

from collections import Counter

from bench.qa import check


def test_every_question_set_is_well_formed_and_split_by_its_round():
    for name in check.SETS:
        rows = check.load(name)
        assert rows
        assert check.check_shapes(name, rows) == []
        assert {row["split"] for row in rows if row["round"] in (4, 5)} == {"holdout"}
        assert {row["split"] for row in rows if row["round"] in (1, 2, 3, 6)} == {"tune"}


def test_the_holdout_is_at_least_a_third_of_each_kind():
    for name in check.SETS:
        rows = check.load(name)
        kinds = Counter((row.get("kind", "-"), row["split"]) for row in rows)
        for kind in {k for k, _ in kinds}:
            held, total = kinds[kind, "holdout"], kinds[kind, "holdout"] + kinds[kind, "tune"]
            assert total / 3 - 1 <= held < total / 2, (name, kind, held, total)


def test_a_question_moved_to_the_other_split_is_reported():
    rows = [dict(row) for row in check.load("offcorpus")]
    rows[0]["split"] = "holdout" if rows[0]["split"] == "tune" else "tune"
    problems = check.check_shapes("offcorpus", rows)
    assert any("is not its round's" in p for p in problems)
