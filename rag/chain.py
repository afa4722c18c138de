"""The LCEL pieces: condense a follow-up, retrieve, prompt, generate.

Each piece is a runnable so it can be composed, streamed and swapped (tests
pass a fake chat model). ``rag.api`` drives them and turns the output into an
``Answer``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.instructions import without_instructions
from rag.logprobs import token_entries
from rag.prompts import EXPECTED, load_prompt
from rag.sentences import asks, sentence_spans
from rag.types import Passage


def format_passages(passages: Sequence[Passage]) -> str:
    template = load_prompt("passage")
    blocks = []
    for n, p in enumerate(passages, start=1):
        published = p.published.isoformat() if p.published else "undated"
        # One line per passage (fewer tokens, clearer numbering), with no sentence addressed to the model.
        text = " ".join(without_instructions(p.text)[0].split())
        blocks.append(template.format(number=n, title=p.title or "Untitled", published=published, text=text))
    return "\n\n".join(blocks)


def format_history(history: Sequence[tuple[str, str]], turns: int = 3) -> str:
    lines = []
    for question, answer in list(history)[-turns:]:
        lines.append(f"User: {question}")
        lines.append(f"Assistant: {answer}")
    return "\n".join(lines)


def split_question(question: str) -> tuple[str, str]:
    """``(background, ask)``: the sentences before the first one that asks, and the rest.

    Quiz-style and pasted questions often open with what the asker already
    knows ("The mayor began closing libraries last year. Which library did she
    close this week?"). Shown as one block, the small model often copies that
    opening sentence as its answer; labelled as background, it answers the ask.
    No background when the first sentence asks, or when no sentence does.
    """
    spans = sentence_spans(question)
    for i, (start, end) in enumerate(spans):
        if asks(question[start:end]):
            if i == 0:
                break
            return question[: spans[i - 1][1]].strip(), question[start:].strip()
    return "", question.strip()


USER_PROMPTS = {
    "open": "answer_user",
    "open_cued": "answer_user_cued",
    "choices": "multiple_choice",
    "choose": "choose",
}


def prompt_inputs(variant: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` as the prompt of ``variant`` takes them: where its template has a ``{background}``,
    the question split by ``split_question``, its background a line of ``prompts/background.txt`` (or nothing)."""
    if "background" not in EXPECTED.get(USER_PROMPTS.get(variant, ""), ()):
        return inputs
    background, ask = split_question(inputs["question"])
    line = load_prompt("background").format(background=background) + "\n" if background else ""
    return {**inputs, "question": ask, "background": line}


def answer_prompt(variant: str = "open") -> ChatPromptTemplate:
    """The fixed system prompt (cached by the server) and the user message of ``variant``."""
    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer_system")), ("human", load_prompt(USER_PROMPTS[variant]))]
    )


def prompt_chars(variant: str, inputs: dict[str, Any]) -> int:
    """Characters of the messages ``variant`` sends for ``inputs`` (benchmarks report prompt size)."""
    messages = answer_prompt(variant).format_messages(**prompt_inputs(variant, inputs))
    return sum(len(str(m.content)) for m in messages)


class StreamedText(StrOutputParser):
    """``StrOutputParser`` whose stream stops when its reader stops reading.

    LangChain's own ``transform`` swallows the ``GeneratorExit`` of a closed stream and
    then reads the model's remaining output for its trace, so a stopped answer (Stop in
    the chat) would go on being generated to the end. This passes each piece's text on
    and no more; ``invoke`` is the parser's own.
    """

    def transform(
        self, input: Iterator[str | BaseMessage], config: Any = None, **kwargs: Any
    ) -> Iterator[str]:
        for chunk in input:
            yield chunk.text if isinstance(chunk, BaseMessage) else chunk


class StreamedTokens(StreamedText):
    """``StreamedText`` that also passes on each piece's tokens with their log-probabilities:
    ``(text, ((token, logprob), ...))``, the tokens empty when the server sends none."""

    def transform(  # type: ignore[override]
        self, input: Iterator[str | BaseMessage], config: Any = None, **kwargs: Any
    ) -> Iterator[tuple[str, tuple[tuple[str, float], ...]]]:
        for chunk in input:
            if not isinstance(chunk, BaseMessage):
                yield chunk, ()
                continue
            tokens = tuple(
                (str(t.get("token", "")), float(t.get("logprob", 0.0))) for t in token_entries(chunk)
            )
            yield chunk.text, tokens


def generation_chain(
    llm: BaseChatModel, variant: str = "open", *, logprobs: bool = False
) -> Runnable[dict[str, Any], Any]:
    """``{"question", "context"[, "options"]}`` → answer text (streams token by token).

    With ``logprobs`` each streamed piece is ``(text, ((token, logprob), ...))``: the model's
    confidence in what it wrote, for the checks (asked of the server; one that sends none
    gives empty tokens). Closing its stream closes the model's: generation stops (see
    ``StreamedText``).
    """
    frame: Runnable[dict[str, Any], dict[str, Any]] = RunnableLambda(lambda x: prompt_inputs(variant, x))
    if logprobs:
        return frame | answer_prompt(variant) | llm.bind(logprobs=True, top_logprobs=1) | StreamedTokens()
    return frame | answer_prompt(variant) | llm | StreamedText()


def choose_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], Any]:
    """``{"question", "context", "options"}`` → the model's reply of one token, with the top
    log-probabilities of that token (``rag.picker`` reads each option's letter from them)."""
    return answer_prompt("choose") | llm.bind(max_tokens=1, logprobs=True, top_logprobs=20)


def verify_chain(llm: BaseChatModel, variant: str = "open") -> Runnable[dict[str, Any], Any]:
    """``{"question", "context", "draft"}`` → the model's one-token Yes/No, with log-probabilities,
    to "does a passage state your answer to exactly this question?" (``prompts/verify.txt``).

    The conversation repeats the answer's own prompt word for word, then the draft as the
    model's reply, so a server that caches prompt prefixes reads only the draft and the
    follow-up: about a second on the local model, not the passages again.
    """

    def messages(x: dict[str, Any]) -> list[BaseMessage]:
        inputs = prompt_inputs(variant, {key: value for key, value in x.items() if key != "draft"})
        asked = answer_prompt(variant).format_messages(**inputs)
        return [*asked, AIMessage(content=x["draft"]), HumanMessage(content=load_prompt("verify"))]

    return RunnableLambda(messages) | llm.bind(max_tokens=1, logprobs=True, top_logprobs=10)


def condense_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], str]:
    """``{"question", "history"}`` → a standalone question."""
    prompt = PromptTemplate.from_template(load_prompt("condense"))
    return (
        RunnablePassthrough.assign(history=lambda x: format_history(x["history"]))
        | prompt
        | llm
        | StrOutputParser()
        | RunnableLambda(clean_condensed)
    )


def clean_condensed(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    for prefix in ("Rewritten question:", "Question:", "Standalone question:"):
        if line.lower().startswith(prefix.lower()):
            line = line[len(prefix) :]
    return line.strip().strip('"').strip()
