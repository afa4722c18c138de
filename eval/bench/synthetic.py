"""News-like synthetic chunks for ``newsdesk bench scale``: texts, titles, dates, sources, questions.

Word frequencies follow news text's long tail (a Zipf law over a built vocabulary
with names, places and figures), so BM25 sees common words in most chunks and
rare ones in a few, as on real articles. Everything comes from one seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

__all__ = ["CHUNKS_PER_ARTICLE", "FIRST_DAY", "SOURCES", "Chunk", "chunks", "questions"]

CHUNKS_PER_ARTICLE = 8
FIRST_DAY = date(2021, 1, 1)
DAYS = 730  # two years of news
SOURCES = [
    f"{name}.example"
    for name in ("wire", "herald", "times", "post", "daily", "gazette", "tribune", "courier")
] + [f"local{i}.example" for i in range(32)]  # 40 sources; the first eight publish most
_COMMON = (
    "said government minister officials report week year people country city police court election "
    "president company market prices workers hospital school military troops forces talks deal plan "
    "budget tax health energy gas oil power water climate storm flood fire vote party leader parliament "
    "rights border trade bank rates inflation jobs strike union protest attack missile aid war peace"
).split()
_FILLER = "the of and to in a on for with at by from that was were has had is are it its as".split()
_NAMES = [
    f"{a}{b}"
    for a in ("Kar", "Bel", "Mor", "Ast", "Vel", "Dun", "Sol", "Tar", "Lin", "Orv")
    for b in ("ova", "ando", "ström", "ia", "holt", "enko", "ard", "is")
]


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    index: int
    title: str
    text: str
    published: date
    source: str


class _Words:
    """Draws words with Zipf frequencies: a few very common, a long tail of rare names and figures."""

    def __init__(self, rng: random.Random, size: int = 40_000) -> None:
        vocab = _COMMON + _NAMES + [f"w{i:05d}" for i in range(size)]
        rng.shuffle(vocab[len(_COMMON) :])  # keep the common words at the head
        self.vocab = vocab
        self.cum = list(accumulate(1 / (r + 1) ** 1.05 for r in range(len(vocab))))
        self.rng = rng

    def draw(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)


def _sentence(words: _Words, rng: random.Random) -> str:
    out = []
    for w in words.draw(rng.randint(8, 16)):
        out.append(w)
        if rng.random() < 0.6:
            out.append(rng.choice(_FILLER))
    if rng.random() < 0.3:
        out.append(f"{rng.randint(2, 9)},{rng.randint(0, 999):03d}")
    return " ".join(out).capitalize() + "."


def chunks(n: int, *, seed: int = 0, prefix: str = "syn") -> Iterator[Chunk]:
    """``n`` chunks, eight per article (about 900 characters each), dated over two years from 2021."""
    rng = random.Random(seed)
    words = _Words(rng)
    for i in range(n):
        a = i // CHUNKS_PER_ARTICLE
        if i % CHUNKS_PER_ARTICLE == 0:
            art = random.Random(f"{seed}-{prefix}-{a}")
            title = " ".join(words.draw(6)).capitalize()
            day = FIRST_DAY + timedelta(days=art.randrange(DAYS))
            source = SOURCES[min(int(art.expovariate(0.25)), len(SOURCES) - 1)]
        text = " ".join(_sentence(words, rng) for _ in range(8))
        yield Chunk(f"{prefix}-{i}", f"{prefix}-a{a}", i % CHUNKS_PER_ARTICLE, title, text, day, source)


def questions(sample: list[Chunk], n: int, *, seed: int = 0) -> list[str]:
    """Questions made of a few words of real chunks, so each has a chunk that answers it."""
    rng = random.Random(seed + 1)
    out = []
    for c in rng.sample(sample, min(n, len(sample))):
        words = [w.strip(".,") for w in c.text.split() if w.lower() not in _FILLER]
        picked = rng.sample(words, min(5, len(words)))
        out.append(f"What did the {' '.join(picked)} say?")
    return out
