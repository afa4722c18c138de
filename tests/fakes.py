"""Test doubles: a scripted chat model and a bag-of-words embedder, no models, no network."""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from rag.prompts import load_prompt


class FakeChatModel(BaseChatModel):
    """Replies from a queue, oldest first; records the messages of every call in ``calls`` (the
    ``verify`` follow-ups it answers by itself go to ``verify_calls``).

    A queued ``Exception`` instance is raised instead of replying. Streaming
    yields the reply in pieces of ``piece`` characters, ``delay`` seconds apart, and
    records when each piece was produced in ``produced`` (so a test sees whether
    generation went on after a stream was closed).
    """

    replies: list[Any] = Field(default_factory=list)
    # The reply to the "verify" check's follow-up ("Does a passage state it …? Yes or No"), given
    # without taking a queued reply: a model that stands by its answer. None: queue it like any other.
    verify_reply: Any = "Yes"
    verify_calls: list[list[BaseMessage]] = Field(default_factory=list)  # those follow-ups, not in ``calls``
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    model_name: str = "fake-llm"
    piece: int = 3
    delay: float = 0.0
    produced: list[float] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        if self.verify_reply is not None and messages and messages[-1].content == load_prompt("verify"):
            self.verify_calls.append(list(messages))
            reply = self.verify_reply
            return reply if isinstance(reply, AIMessage) else AIMessage(content=str(reply))
        self.calls.append(list(messages))
        if not self.replies:
            raise RuntimeError("FakeChatModel: no reply queued for this call")
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        # A queued AIMessage is replied as it is, metadata (such as logprobs) included.
        return reply if isinstance(reply, AIMessage) else AIMessage(content=str(reply))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._next(messages)
        text = str(reply.content)
        for i in range(0, len(text), self.piece):
            if self.delay:
                time.sleep(self.delay)
            self.produced.append(time.monotonic())
            metadata = reply.response_metadata if i == 0 else {}
            chunk = ChatGenerationChunk(
                message=AIMessageChunk(content=text[i : i + self.piece], response_metadata=metadata)
            )
            if run_manager is not None:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


_TOKEN = re.compile(r"\w+")


class HashEmbeddings(Embeddings):
    """Bag of lowercase words hashed (sha1) into ``dims`` buckets, L2-normalised.

    Deterministic and instant; texts that share words get close vectors.
    """

    name = "hash-bag-of-words"

    def __init__(self, dims: int = 256) -> None:
        self.dims = dims

    def _embed(self, text: str) -> list[float]:
        vec = [0.0] * self.dims
        for word in _TOKEN.findall(text.lower()):
            vec[int(hashlib.sha1(word.encode()).hexdigest(), 16) % self.dims] += 1.0
        norm = math.sqrt(sum(v * v for v in vec))
        if norm == 0.0:  # no words at all: a fixed unit vector keeps cosine defined
            vec[0] = 1.0
            return vec
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)
