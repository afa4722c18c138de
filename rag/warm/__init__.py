"""The warm server: one long-lived process per user and configuration holding the desk (store,
embedder, model) loaded, so ``newsdesk ask`` answers in the time of the answer, not of a model load.

Modules, one job each:

- ``place``: the per-user runtime folder (0700), the files of one server, its identity.
- ``state``: the state file a ready server writes (pid, socket, token, identity) and who is alive.
- ``wire``: the messages on the socket (one JSON object a line) and errors across it.
- ``server``: the server (a Unix socket; idle, store and stop watch); ``python -m rag.warm.server``.
- ``client``: find, start (one at a time: a file lock), ask, status, stop.
- ``cli``: ``newsdesk serve`` and the choice ``newsdesk ask`` makes between server and in-process.

Nothing is imported here: ``newsdesk --help`` stays light.
"""
