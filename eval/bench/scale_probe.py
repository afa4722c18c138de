"""One measured step of ``newsdesk bench scale``, run as its own process against a chosen checkout.

Run as a script (``python scale_probe.py ROOT STEP ARGS.json``): ROOT goes first on
``sys.path``, so the same step times today's code or an older checkout's (the
keyword path before the store had its own index: ``rag.lexical``, bm25s). It
imports only ``rag``, ``vectorstore`` and the generator beside it, and prints one
JSON line.

Steps: ``build`` writes N synthetic chunks into a store; ``ask`` opens it as a
fresh process would, times the first keyword question, then keyword and dense
questions with and without filters, then one more article and the question after.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any


def _rss(field: str) -> float | None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pct(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {"p50": round(ms[len(ms) // 2], 2), "p95": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 2)}


def _du(path: Path) -> float:
    return (
        round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)
        if path.exists()
        else 0.0
    )


def _vectors(rng: Any, n: int, dim: int) -> Any:
    vecs = rng.standard_normal((n, dim), dtype="float32")
    vecs /= (vecs**2).sum(axis=1, keepdims=True) ** 0.5
    return vecs


def _metadata(c: Any) -> dict[str, Any]:
    from rag.chunkmeta import ChunkMeta

    meta = ChunkMeta(
        article_id=c.article_id,
        title=c.title,
        start=c.index * 900,
        end=c.index * 900 + len(c.text),
        index=c.index,
        url=f"https://{c.source}/{c.article_id}",
        published=c.published,
        source=c.source,
        content_hash=c.article_id,
    )
    return meta.to_store()


def _open(args: dict[str, Any], **options: Any) -> Any:
    """The bench's store: the ``chroma run`` server at ``args["url"]`` if set, else the folder."""
    from vectorstore import open_store

    if args.get("url"):
        return open_store(url=args["url"], collection="newsdesk", **options)
    return open_store(path=Path(args["store"]), collection="newsdesk", **options)


def _write(store: Any, batch: list[Any], vectors: Any) -> None:
    store.upsert(
        ids=[c.id for c in batch],
        texts=[c.text for c in batch],
        metadatas=[_metadata(c) for c in batch],
        embeddings=vectors.tolist() if hasattr(vectors, "tolist") else vectors,
    )


def _embedder(real: bool, dim: int) -> Any:
    import numpy as np

    if not real:
        rng = np.random.default_rng(7)
        return lambda texts: _vectors(rng, len(texts), dim)
    from rag.chunkmeta import embed_text
    from rag.embeddings import make_embedder
    from rag.settings import Settings

    model = make_embedder(Settings())
    return lambda batch: model.embed_documents([embed_text(c.title, c.text) for c in batch])


def build(args: dict[str, Any]) -> dict[str, Any]:
    """Writes ``n`` chunks in batches inside one write session; write rate, disk, peak RSS."""
    import synthetic

    store = _open(args)
    embed = _embedder(args["real"], args["dim"])
    written, seconds, batch = 0, 0.0, []
    with store.writing():
        for c in synthetic.chunks(args["n"], seed=args["seed"]):
            batch.append(c)
            if len(batch) == args["batch"]:
                vectors = embed(batch) if args["real"] else embed([c.text for c in batch])
                started = time.perf_counter()
                _write(store, batch, vectors)
                seconds += time.perf_counter() - started
                written += len(batch)
                batch = []
        if batch:
            vectors = embed(batch) if args["real"] else embed([c.text for c in batch])
            started = time.perf_counter()
            _write(store, batch, vectors)
            seconds += time.perf_counter() - started
            written += len(batch)
    return {
        "chunks": store.count(),
        "write_seconds": round(seconds, 2),
        "chunks_per_s": round(written / seconds, 1) if seconds else None,
        "peak_rss_mb": _rss("VmHWM"),
    }


def _filters(name: str) -> Any:
    from vectorstore import all_of, any_of, between

    if name == "date+source":
        return all_of(
            between("published", date(2022, 3, 1), date(2022, 4, 30)), any_of("source", ["herald.example"])
        )
    if name == "as_of":
        return between("published", None, date(2021, 6, 30))
    return None


class _Old:
    """The keyword path before the store had an index: rag.lexical's bm25s over a full scan."""

    def __init__(self, store: Any) -> None:
        from rag.lexical import LexicalCache

        self.store, self.cache = store, LexicalCache(store)

    def keyword(self, query: str, k: int, where: Any) -> list[Any]:
        index = self.cache.index()
        hits = index.search(query, k, where.matches if where is not None else None)
        ids = [index.ids[pos] for pos, _ in hits]
        return self.store.get(ids=ids) if ids else []


def ask(args: dict[str, Any]) -> dict[str, Any]:
    """A fresh process's first question, then p50/p95 per filter, then one more article and its first question."""
    import numpy as np
    import synthetic

    started = time.perf_counter()
    store = _open(args)
    search = _Old(store) if args["old"] else store
    questions, k = args["questions"], args["k"]
    search.keyword(questions[0], k, None)
    out: dict[str, Any] = {
        "first_keyword_s": round(time.perf_counter() - started, 3),
        "rss_after_first_mb": _rss("VmRSS"),
    }
    rng = np.random.default_rng(1)
    for name in ("none", "date+source", "as_of"):
        where = _filters(name)
        times, found = [], 0
        for q in questions[1:]:
            t = time.perf_counter()
            found += len(search.keyword(q, k, where))
            times.append(time.perf_counter() - t)
        out[f"keyword_{name}_ms"] = {**_pct(times), "hits_per_question": round(found / len(times), 1)}
        if not args["old"]:
            times = []
            for _ in questions[1:]:
                v = _vectors(rng, 1, args["dim"])[0].tolist()
                t = time.perf_counter()
                store.query(v, k, where=where)
                times.append(time.perf_counter() - t)
            out[f"dense_{name}_ms"] = _pct(times)
    extra = list(synthetic.chunks(synthetic.CHUNKS_PER_ARTICLE, seed=args["seed"] + 99, prefix="extra"))
    t = time.perf_counter()
    _write(store, extra, _vectors(rng, len(extra), args["dim"]))
    out["ingest_one_article_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    search.keyword(questions[1], k, None)
    out["first_keyword_after_ingest_s"] = round(time.perf_counter() - t, 3)
    store.delete(ids=[c.id for c in extra])  # the store is measured again as it was
    out["peak_rss_mb"] = _rss("VmHWM")
    out["chunks"] = store.count()
    return out


def dense_filters(args: dict[str, Any]) -> dict[str, Any]:
    """Chroma's own filtered query against a larger unfiltered fetch checked after, for selective dates.

    For each filter: p50/p95 of ``query(v, k, where)``, and of ``query(v, fetch)`` then ``matches``
    for each fetch size, with how many of the k filtered hits the post-filter found (recall).
    """
    import numpy as np

    from vectorstore import all_of, any_of, between, matches

    store = _open(args)
    k, rng = args["k"], np.random.default_rng(5)
    day = date(2022, 3, 15)
    cases = {
        "one_day": between("published", day, day),
        "one_week": between("published", day, date(2022, 3, 21)),
        "one_month+source": all_of(
            between("published", date(2022, 3, 1), date(2022, 3, 31)), any_of("source", ["herald.example"])
        ),
        "as_of_half": between("published", None, date(2021, 12, 31)),
    }
    store.query(_vectors(rng, 1, args["dim"])[0].tolist(), k)  # opens the index
    out: dict[str, Any] = {"k": k, "chunks": store.count()}
    for name, where in cases.items():
        vectors = [_vectors(rng, 1, args["dim"])[0].tolist() for _ in range(args["repeats"])]
        times, truth = [], []
        for v in vectors:
            t = time.perf_counter()
            truth.append({h.id for h in store.query(v, k, where=where)})
            times.append(time.perf_counter() - t)
        row: dict[str, Any] = {  # counted page by page: one get() of ~50k rows fails in Chroma
            "matching": sum(1 for _ in store.scan(texts=False, where=where)),
            "chroma_where_ms": _pct(times),
        }
        for fetch in args["fetches"]:
            times, recall = [], []
            for v, want in zip(vectors, truth, strict=True):
                t = time.perf_counter()
                kept = [h.id for h in store.query(v, fetch) if matches(where, h.metadata)][:k]
                times.append(time.perf_counter() - t)
                recall.append(len(want & set(kept)) / len(want) if want else 1.0)
            row[f"fetch_{fetch}_post_filter"] = {**_pct(times), "recall": round(sum(recall) / len(recall), 3)}
        out[name] = row
    return out


def retrieve(args: dict[str, Any]) -> dict[str, Any]:
    """What a user's question waits for: ``Newsdesk.retrieve`` with the configured embedder (the
    question embedded, dense and keyword search, fusion, ``focus`` embedding sentences), p50/p95
    per filter, with each stage's p50. The stored vectors are synthetic; the question's are real."""
    from rag.api import Newsdesk
    from rag.settings import Settings
    from rag.types import Filters

    started = time.perf_counter()
    where = {"chroma_url": args["url"]} if args.get("url") else {"store": Path(args["store"])}
    desk = Newsdesk(Settings(collection="newsdesk", **where))
    desk.embedder.embed_query("warm up")  # loading the embedder is start-up, not a question
    loaded = time.perf_counter() - started
    questions = args["questions"]
    t = time.perf_counter()
    desk.retrieve(questions[0])
    out: dict[str, Any] = {
        "embedder_load_s": round(loaded, 3),
        "first_question_s": round(time.perf_counter() - t, 3),
        "chunks": desk.store.count(),
    }
    cases = {
        "none": None,
        "date+source": Filters(
            date_from=date(2022, 3, 1), date_to=date(2022, 4, 30), sources=("herald.example",)
        ),
        "as_of": Filters(as_of=date(2021, 6, 30)),
        "as_of_late": Filters(as_of=date(2022, 10, 31)),
    }
    for name, flt in cases.items():
        times: list[float] = []
        stages: dict[str, list[float]] = {}
        for q in questions[1:]:
            t = time.perf_counter()
            got = desk.retrieve(q, filters=flt)
            times.append(time.perf_counter() - t)
            for stage, seconds in got.stage_seconds.items():
                stages.setdefault(stage, []).append(seconds)
        out[f"retrieve_{name}_ms"] = {
            **_pct(times),
            "stages_p50_ms": {k: _pct(v)["p50"] for k, v in stages.items()},
        }
    desk.close()
    return out


def catch_up(args: dict[str, Any]) -> dict[str, Any]:
    """What another client's article costs this one: 8 chunks written past its keyword index, then a question."""
    import numpy as np
    import synthetic

    store = _open(args)
    store.keyword("warm up", 1)
    rng = np.random.default_rng(9)
    extra = list(synthetic.chunks(synthetic.CHUNKS_PER_ARTICLE, seed=args["seed"] + 7, prefix="other"))
    import tempfile

    with tempfile.TemporaryDirectory() as elsewhere:  # another client: same rows, its own keyword index
        other = _open(args, keyword_path=Path(elsewhere))
        _write(other, extra, _vectors(rng, len(extra), args["dim"]))
    t = time.perf_counter()
    hits = store.keyword(extra[0].title, 5)
    out = {
        "first_keyword_after_other_client_s": round(time.perf_counter() - t, 3),
        "found_it": extra[0].id in {h.id for h in hits} or any(h.id.startswith("other-") for h in hits),
    }
    store.delete(ids=[c.id for c in extra])
    out["chunks"] = store.count()
    return out


if __name__ == "__main__":
    root, step, params = sys.argv[1], sys.argv[2], json.loads(Path(sys.argv[3]).read_text())
    sys.path.insert(0, root)
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    print(
        json.dumps(
            {
                "build": build,
                "ask": ask,
                "dense_filters": dense_filters,
                "retrieve": retrieve,
                "catch_up": catch_up,
            }[step](params)
        )
    )
