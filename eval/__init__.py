"""Evaluation of newsdesk: question sets, metrics, runs and reports.

``eval.cli.app`` is the ``newsdesk eval`` command group; everything else is a
library that the tests drive with a fake desk.
"""
