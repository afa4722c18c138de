"""``newsdesk bench``: newsdesk against the LangChain tutorial pipeline on a RealTimeQA-format corpus.

Mount with ``main_app.add_typer(eval.bench.app, name="bench")``; standalone:
``python -m eval.bench --data FOLDER --weeks 1 --max-articles 60 --questions 3 --models small``.

Both pipelines get the same ``Article`` list, the same embedder (``make_embedder``)
and the same ``k``:

- ours: only through ``rag.api.Newsdesk``, as users run it: ``ingest_articles``,
  ``retrieve`` (the stages ``ask`` runs, whatever the settings compose) and
  ``ask_stream``.
- baseline: ``TutorialPipeline`` (``eval/pipelines/baseline.py``), the tutorial unchanged.

Modules, one job each:

- ``inputs``: the RealTimeQA folder (``--data`` or ``NEWSDESK_BENCH_DATA``; no default), first weeks.
- the tutorial pipeline itself lives in ``eval.pipelines.baseline``, owned by the evaluation; the bench imports it.
- ``phases``: ingest, retrieval and answer timing; ``scale``: stores grown with synthetic chunks;
  ``process``: each phase in its own spawned process (peak RSS per pipeline, no shared caches).
- ``table``: results flattened to metrics, ratios ours/baseline, the rich table.
- ``run``: the phases in order and the results file; ``cli``: the typer command.
- ``newsdesk bench scale`` (``scaling``, ``scale_probe``, ``synthetic``): the store alone as it
  grows, with synthetic news-like chunks: write rate, disk, RAM, first question, filtered
  retrieval, one more article; ``--old`` times another checkout's code on the same store.

Phases:

1. ingest: wall time (chunking + embedding + writing, the embedder loaded and
   warmed before the clock starts), articles/s, chunks/s, peak RSS (``VmHWM`` of
   the child: imports + model + ingest).
2. scale: the 1x stores are copied and grown to each ``--scales`` factor, capped
   so that no store exceeds ``--max-chunks`` (see ``scale.effective_factors``).
3. retrieval: every question of the chosen weeks, one warm-up query first,
   pipelines interleaved question by question; p50/p95 in ms of the whole call,
   and of each of ours' retrieval stages as ``Retrieval.stage_seconds`` names them.
4. answers, per model: ``--questions`` questions (seeded sample), one untimed
   warm-up per pipeline after the model server has started; each pipeline runs
   its questions as a block, so the llama.cpp prompt cache behaves as in real
   use. Time to first token and total run from the call (retrieval included) to
   the first text / the end; prompt size is the characters of the messages sent.

The table shows ours, baseline and ours/baseline for every metric, with the
direction that is better; the JSON holds everything plus settings, machine and date.
"""

from eval.bench.cli import app
from eval.bench.inputs import BenchInputError, load_inputs
from eval.bench.process import call
from eval.bench.run import DEFAULT_OUT, MODELS, BenchConfig, run_bench
from eval.bench.scale import DEFAULT_MAX_CHUNKS, effective_factors
from eval.bench.stats import summarize
from eval.bench.table import better_for, flatten, ratio_rows, render_table, table_rows
from eval.pipelines.baseline import BASELINE_PROMPT, TutorialPipeline

__all__ = [
    "BASELINE_PROMPT",
    "DEFAULT_MAX_CHUNKS",
    "DEFAULT_OUT",
    "MODELS",
    "BenchConfig",
    "BenchInputError",
    "TutorialPipeline",
    "app",
    "better_for",
    "call",
    "effective_factors",
    "flatten",
    "load_inputs",
    "ratio_rows",
    "render_table",
    "run_bench",
    "summarize",
    "table_rows",
]
