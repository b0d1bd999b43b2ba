"""BERT's uncased WordPiece tokenizer, written out: text in, vocabulary ids out.

The sentence encoder (``stories.adapters.sentence_encoder``) needs the exact ids its model was
trained with. Hugging Face's ``tokenizers`` would do it, but it drags in the Hub client and a
dozen packages; the algorithm is small and fully specified by BERT's reference code:

1. clean: drop NUL, U+FFFD and control characters, turn every kind of whitespace into a space;
2. put spaces around each CJK ideograph (they are words on their own);
3. lowercase, decompose (NFD) and drop combining marks (accents);
4. split on whitespace, then split every punctuation character off as its own token;
5. each word becomes the longest vocabulary pieces from the left, continuations prefixed ``##``;
   a word with no such split, or longer than 100 characters, becomes ``[UNK]``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_WORD_CHARS = 100
# Words already split, kept per tokenizer; a stream keeps meeting new names, so it is bounded.
CACHE_WORDS = 200_000
# A long text is read this many characters at a time, and only until the ids fill the cut: the
# steps above are a Python loop over characters, and a full-text article may run to 100 KB.
CHUNK_CHARS = 512
# Chunks end just before one of these: whitespace to BERT, so no word or accent spans a cut.
_CHUNK_END = re.compile(r"[ \t\n\r]")


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT counts every non-alphanumeric ASCII character as punctuation ("$", "^", "`" too).
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_words(text: str) -> list[str]:
    """Steps 1-4: the words and punctuation marks WordPiece then splits."""
    cleaned: list[str] = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if _is_whitespace(char):
            cleaned.append(" ")
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    folded = unicodedata.normalize("NFD", "".join(cleaned).lower())
    words: list[str] = []
    for chunk in folded.split():
        current: list[str] = []
        for char in chunk:
            if unicodedata.category(char) == "Mn":
                continue
            if _is_punctuation(char):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(char)
            else:
                current.append(char)
        if current:
            words.append("".join(current))
    return words


@dataclass(frozen=True, slots=True)
class WordPiece:
    vocabulary: Mapping[str, int]
    unknown: str = "[UNK]"
    start: str = "[CLS]"
    end: str = "[SEP]"
    _cache: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)

    def pieces(self, word: str) -> tuple[int, ...]:
        """Step 5 for one word: greedy longest match from the left."""
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) >= CACHE_WORDS:
                self._cache.clear()
            cached = self._cache[word] = _pieces(self.vocabulary, self.unknown, word)
        return cached

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """``[CLS]`` + the text's ids, cut to fit, + ``[SEP]``: at most ``max_tokens`` ids."""
        room = max_tokens - 2
        ids: list[int] = []
        start = 0
        while start < len(text) and len(ids) < room:
            cut = _CHUNK_END.search(text, start + CHUNK_CHARS)
            end = cut.start() if cut else len(text)
            for word in basic_words(text[start:end]):
                ids.extend(self.pieces(word))
                if len(ids) >= room:
                    break
            start = end
        vocabulary = self.vocabulary
        return [vocabulary[self.start], *ids[:room], vocabulary[self.end]]


def _pieces(vocabulary: Mapping[str, int], unknown_piece: str, word: str) -> tuple[int, ...]:
    unknown = (vocabulary[unknown_piece],)
    if len(word) > MAX_WORD_CHARS:
        return unknown
    out: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        found = None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            found = vocabulary.get(piece)
            if found is not None:
                break
            end -= 1
        if found is None:
            return unknown
        out.append(found)
        start = end
    return tuple(out)


def read_vocabulary(lines: Iterable[str]) -> dict[str, int]:
    """A ``vocab.txt``: one piece a line, its id the line number."""
    return {line.rstrip("\n"): index for index, line in enumerate(lines)}
