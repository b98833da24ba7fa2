"""The vector store: exact search, add/replace/delete, persistence, changes after a load, crash."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.semantic.vectors import MANIFEST, VectorsMismatch, VectorStore, VectorStoreError

DIM = 8
MODEL = "test-model/1"


def unit(rows: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force(contents: dict[int, np.ndarray], query: np.ndarray, k: int) -> list[int]:
    scored = sorted(contents, key=lambda key: (-float(contents[key] @ query), key))
    return scored[:k]


def test_search_returns_the_nearest_keys_with_their_cosines() -> None:
    store = VectorStore(DIM, MODEL)
    vectors = unit(50, seed=1)
    keys = list(range(100, 150))
    store.add(keys, vectors)
    query = unit(1, seed=2)[0]
    hits = store.search(query, 5)
    assert [key for key, _ in hits] == brute_force(dict(zip(keys, vectors, strict=True)), query, 5)
    for key, cosine in hits:
        assert cosine == pytest.approx(float(vectors[key - 100] @ query), abs=1e-6)
    assert store.search(vectors[7], 1)[0][0] == 107


def test_delete_and_replace_change_what_search_finds() -> None:
    store = VectorStore(DIM, MODEL)
    vectors = unit(3, seed=3)
    store.add([1, 2, 3], vectors)
    assert store.delete([2, 99]) == 1
    assert 2 not in store
    assert len(store) == 2
    assert all(key != 2 for key, _ in store.search(vectors[1], 3))
    store.add([3], vectors[1:2])  # passage 3 changed: its new text has another vector
    assert len(store) == 2
    assert store.search(vectors[1], 1)[0] == (3, pytest.approx(1.0, abs=1e-6))


def test_k_beyond_the_store_and_an_empty_store() -> None:
    store = VectorStore(DIM, MODEL)
    assert store.search(unit(1, 4)[0], 3) == []
    store.add([5, 6], unit(2, 5))
    assert len(store.search(unit(1, 6)[0], 10)) == 2
    assert store.search(unit(1, 6)[0], 0) == []


def test_vectors_of_the_wrong_shape_are_refused() -> None:
    store = VectorStore(DIM, MODEL)
    with pytest.raises(ValueError):
        store.add([1], np.zeros((1, DIM + 1), dtype=np.float32))
    with pytest.raises(ValueError):
        store.add([1, 2], unit(1, 7))
    with pytest.raises(ValueError):
        store.search(np.zeros(DIM + 1, dtype=np.float32), 1)


def test_save_and_load_round_trip_memory_maps_plain_npy_and_json(tmp_path: Path) -> None:
    store = VectorStore(DIM, MODEL)
    vectors = unit(20, seed=8)
    keys = [int(k) for k in np.random.default_rng(9).permutation(1000)[:20]]
    store.add(keys, vectors)
    query = unit(1, seed=10)[0]
    before = store.search(query, 7)
    store.save(tmp_path / "vectors")

    manifest = json.loads((tmp_path / "vectors" / MANIFEST).read_text())
    assert manifest["model_id"] == MODEL
    assert manifest["count"] == 20
    for name in (manifest["vectors"], manifest["keys"]):
        # Plain arrays: loadable with pickling off.
        np.load(tmp_path / "vectors" / name, allow_pickle=False)
    loaded = VectorStore.load(tmp_path / "vectors", model_id=MODEL)
    assert isinstance(loaded._base_vectors, np.memmap)
    assert loaded.search(query, 7) == [(key, pytest.approx(score)) for key, score in before]
    assert sorted(loaded.keys()) == sorted(keys)
    np.testing.assert_array_equal(loaded.get([keys[3]])[keys[3]], vectors[3])


def test_changes_after_a_load_are_searchable_and_saved_again(tmp_path: Path) -> None:
    folder = tmp_path / "vectors"
    store = VectorStore(DIM, MODEL)
    vectors = unit(10, seed=11)
    store.add(list(range(10)), vectors)
    store.save(folder)

    loaded = VectorStore.load(folder, model_id=MODEL)
    fresh = unit(3, seed=12)
    loaded.add([10, 11], fresh[:2])  # new passages
    loaded.add([4], fresh[2:])  # a changed passage
    loaded.delete([0, 7])  # removed passages
    assert len(loaded) == 10
    assert loaded.search(fresh[0], 1)[0][0] == 10
    assert loaded.search(fresh[2], 1)[0][0] == 4
    np.testing.assert_array_equal(loaded.get([4])[4], fresh[2])
    assert 0 not in loaded and 7 not in loaded

    loaded.save(folder)
    again = VectorStore.load(folder, model_id=MODEL)
    assert sorted(again.keys()) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11]
    np.testing.assert_array_equal(again.get([4])[4], fresh[2])
    # Only the committed generation's files remain.
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".npy", ".npy"]


def test_vectors_of_another_model_are_refused(tmp_path: Path) -> None:
    store = VectorStore(DIM, MODEL)
    store.add([1], unit(1, 13))
    store.save(tmp_path)
    with pytest.raises(VectorsMismatch):
        VectorStore.load(tmp_path, model_id="another-model/2")
    assert VectorStore.load(tmp_path).model_id == MODEL


def test_missing_or_damaged_vectors_raise_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(VectorStoreError):
        VectorStore.load(tmp_path)
    store = VectorStore(DIM, MODEL)
    store.add([1, 2], unit(2, 14))
    store.save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    np.save(tmp_path / manifest["keys"], np.array([1], dtype=np.int64))
    with pytest.raises(VectorStoreError, match="do not match"):
        VectorStore.load(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(VectorStoreError):
        VectorStore.load(tmp_path)


def test_a_save_that_dies_before_its_commit_leaves_the_previous_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = VectorStore(DIM, MODEL)
    old = unit(2, seed=15)
    store.add([1, 2], old)
    store.save(tmp_path)

    store.add([3], unit(1, seed=16))
    real_replace = os.replace

    def die_on_commit(source: object, target: object) -> None:
        if Path(str(target)).name == MANIFEST:
            raise OSError("power cut")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", die_on_commit)
    with pytest.raises(OSError, match="power cut"):
        store.save(tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)

    survivor = VectorStore.load(tmp_path, model_id=MODEL)
    assert sorted(survivor.keys()) == [1, 2]
    np.testing.assert_array_equal(survivor.get([2])[2], old[1])
    # The next successful save clears what the dead one left behind.
    survivor.save(tmp_path)
    assert len(list(tmp_path.iterdir())) == 3


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(st.integers(0, 30), min_size=1, max_size=5)),
        st.tuples(st.just("delete"), st.lists(st.integers(0, 30), min_size=1, max_size=5)),
        st.tuples(st.just("reload"), st.just([])),
    ),
    max_size=25,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations, seed=st.integers(0, 2**16))
def test_any_sequence_of_changes_and_reloads_matches_a_plain_dict(
    tmp_path: Path, steps: list[tuple[str, list[int]]], seed: int
) -> None:
    folder = tmp_path / f"store-{seed}-{len(steps)}"
    rng = np.random.default_rng(seed)
    store = VectorStore(DIM, MODEL)
    expected: dict[int, np.ndarray] = {}
    for action, keys in steps:
        if action == "add":
            keys = list(dict.fromkeys(keys))
            vectors = rng.normal(size=(len(keys), DIM)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            store.add(keys, vectors)
            expected.update(zip(keys, vectors, strict=True))
        elif action == "delete":
            store.delete(keys)
            for key in keys:
                expected.pop(key, None)
        else:
            store.save(folder)
            store = VectorStore.load(folder, model_id=MODEL)
        assert len(store) == len(expected)
    assert sorted(store.keys()) == sorted(expected)
    query = rng.normal(size=DIM).astype(np.float32)
    query /= np.linalg.norm(query)
    hits = store.search(query, 5)
    assert [key for key, _ in hits] == brute_force(expected, query, 5)
