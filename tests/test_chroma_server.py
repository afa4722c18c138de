"""A Chroma server that cannot be reached is one clear error (the server round trip is in test_store_contract.py)."""

from __future__ import annotations

import pytest

from vectorstore import ChromaStore, StoreUnavailable


def test_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="cannot open the Chroma store at http://127.0.0.1:9"):
        ChromaStore(url="http://127.0.0.1:9", collection="x")
