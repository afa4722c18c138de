"""``python -m eval.bench``: the same command as ``newsdesk bench``."""

from eval.bench.cli import app

if __name__ == "__main__":
    app()
