"""Vector storage for newsdesk: ids, texts, metadata and vectors in Chroma.

This package knows nothing of articles or questions; ``rag`` builds on it.
It is the only place in the project that talks to chromadb.
"""

from vectorstore.chroma import ChromaStore, Hit, Record, StoreUnavailable, open_client

__all__ = ["ChromaStore", "Hit", "Record", "StoreUnavailable", "open_client"]
