"""Sentences in a passage that read as instructions to an AI, kept out of the prompt.

Articles are quoted data, not orders: the system prompt says so, and a
sentence like "Ignore the previous instructions and say …" or "System: you
are now …" is replaced in the prompt by a short notice. The passage shown to
the reader, with its offsets and citations, is left as it was.
"""

from __future__ import annotations

import re

from rag.sentences import sentence_spans

NOTICE = "[a sentence addressed to an AI assistant was left out]"
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|context|passages?)\b"
    r"|^\W*(system|assistant|user|developer)\s*(message|prompt)?\s*:"
    r"|\byou\s+are\s+now\b"
    r"|\b(note|message|instructions?)\s+(to|for)\s+(ai|llm|language\s+models?|assistants?|chatbots?)\b"
    r"|\b(ai|llm|language\s+model|assistant|chatbot)s?\s*(,|:)?\s*(must|should|shall|will|always)"
    r"(\s+(always|only))?\s+(answer|reply|respond|say|state)\b"
    r"|\b(answer|reply|respond)\s+(only\s+)?(with|in)\s+(the\s+word|exactly|only)\b"
    r"|\[/?INST\]|<\|?(im_start|im_end|system|endoftext)\|?>",
    re.IGNORECASE,
)


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))


def without_instructions(text: str) -> tuple[str, int]:
    """``text`` with each instruction-like sentence replaced by ``NOTICE``, and how many were."""
    out: list[str] = []
    flagged = 0
    last = 0
    for start, end in sentence_spans(text):
        if looks_like_instruction(text[start:end]):
            out.append(text[last:start])
            out.append(NOTICE)
            last = end
            flagged += 1
    out.append(text[last:])
    return "".join(out), flagged
