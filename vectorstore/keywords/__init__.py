"""Keyword search (BM25) beside a store's vectors: a tantivy index that lives with the data.

``index`` holds the index itself, ``terms`` what BM25 sees of a text and a
question, ``where`` the neutral filters in tantivy's terms. Stores keep it in
step with their writes (see ``vectorstore.chroma.keywords``).
"""

from vectorstore.keywords.index import Doc, KeywordIndex
from vectorstore.keywords.terms import STOPWORDS, prepare, query_terms

__all__ = ["STOPWORDS", "Doc", "KeywordIndex", "prepare", "query_terms"]
