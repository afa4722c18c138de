"""SQLite FTS5 against tantivy for BM25 top-20 over N Zipf-distributed synthetic documents.

``python keyword_engines.py 100000 fts`` / ``... tantivy``: build time, p50/p95 of 60
ten-term questions without and with a date range + three sources, one more document
(write and commit), disk. Results of 7 December 2026 in README.md.
"""

import os
import shutil
import sqlite3
import sys
import time

import numpy as np
import tantivy

N = int(sys.argv[1])
which = sys.argv[2]
rng = np.random.default_rng(0)
V = 30000
vocab = [f"w{i}" for i in range(V)]
p = 1 / np.arange(1, V + 1) ** 1.07
p /= p.sum()
sources = [f"s{i}.com" for i in range(40)]


def doc(i):
    return " ".join(vocab[j] for j in rng.choice(V, 150, p=p))


docs = [doc(i) for i in range(N)]
days = rng.integers(20200101, 20221231, N)
src = [sources[i % 40] for i in range(N)]
qs = [" ".join(vocab[j] for j in rng.choice(V, 8, p=p)) + " w5000 w12000" for _ in range(60)]
d = f"/tmp/kw/{which}"
shutil.rmtree(d, ignore_errors=True)
os.makedirs(d)


def pct(xs):
    xs = sorted(xs)
    return round(xs[len(xs) // 2] * 1000, 1), round(xs[int(len(xs) * 0.95)] * 1000, 1)


if which == "fts":
    con = sqlite3.connect(f"{d}/k.sqlite3")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE VIRTUAL TABLE fts USING fts5(body)")
    con.execute("CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, source TEXT, day INT)")
    con.execute("CREATE INDEX meta_day ON meta(day)")
    con.execute("CREATE INDEX meta_src ON meta(source)")
    t = time.perf_counter()
    for s in range(0, N, 2000):
        with con:
            con.executemany(
                "INSERT INTO meta(rowid,id,source,day) VALUES (?,?,?,?)",
                [(i, f"id{i}", src[i], int(days[i])) for i in range(s, min(N, s + 2000))],
            )
            con.executemany(
                "INSERT INTO fts(rowid, body) VALUES (?,?)",
                [(i, docs[i]) for i in range(s, min(N, s + 2000))],
            )
    build = time.perf_counter() - t

    def q(text, filt):
        m = " OR ".join(f'"{w}"' for w in text.split())
        sql = "SELECT m.id, bm25(fts) s FROM fts JOIN meta m ON m.rowid=fts.rowid WHERE fts MATCH ?"
        args = [m]
        if filt:
            sql += " AND m.day BETWEEN ? AND ? AND m.source IN (?,?,?)"
            args += [20220101, 20220301, "s1.com", "s2.com", "s3.com"]
        return con.execute(sql + " ORDER BY s LIMIT 20", args).fetchall()

    def add1():
        with con:
            con.execute("INSERT INTO meta VALUES (?,?,?,?)", (N + 1, "new", "s1.com", 20220505))
            con.execute("INSERT INTO fts(rowid,body) VALUES (?,?)", (N + 1, docs[0]))
else:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=False)
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("source", stored=False, tokenizer_name="raw", fast=True)
    sb.add_integer_field("day", stored=False, indexed=True, fast=True)
    schema = sb.build()
    idx = tantivy.Index(schema, path=d)
    w = idx.writer(heap_size=100_000_000, num_threads=1)
    t = time.perf_counter()
    for i in range(N):
        w.add_document(tantivy.Document(body=docs[i], id=f"id{i}", source=src[i], day=int(days[i])))
    w.commit()
    w.wait_merging_threads()
    build = time.perf_counter() - t
    idx.reload()
    searcher = idx.searcher()

    def q(text, filt):
        tq = idx.parse_query(text, ["body"])
        if filt:
            rq = tantivy.Query.range_query(schema, "day", tantivy.FieldType.Integer, 20220101, 20220301)
            sq = tantivy.Query.term_set_query(schema, "source", ["s1.com", "s2.com", "s3.com"])
            tq = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tq), (tantivy.Occur.Must, rq), (tantivy.Occur.Must, sq)]
            )
        r = searcher.search(tq, 20)
        return [(searcher.doc(a)["id"][0], s) for s, a in r.hits]

    def add1():
        w2 = idx.writer(heap_size=15_000_000, num_threads=1)
        w2.add_document(tantivy.Document(body=docs[0], id="new", source="s1.com", day=20220505))
        w2.commit()
        w2.wait_merging_threads()
        idx.reload()


for text in qs[:3]:
    q(text, False)
times = {}
for filt in (False, True):
    ts = []
    for text in qs:
        t = time.perf_counter()
        r = q(text, filt)
        ts.append(time.perf_counter() - t)
    times[filt] = pct(ts)
if which == "tantivy":
    del w
t = time.perf_counter()
add1()
addt = time.perf_counter() - t
size = sum(os.path.getsize(os.path.join(a, f)) for a, _, fs in os.walk(d) for f in fs)
print(
    which,
    N,
    "build s",
    round(build, 1),
    "query p50/p95 ms",
    times[False],
    "filtered",
    times[True],
    "add1 ms",
    round(addt * 1000, 1),
    "disk MB",
    round(size / 1e6, 1),
)
