"""Plain-Python building blocks (parsing, rules, storage) that the Dagster definitions call.

Nothing in this package imports Dagster, so every function can be tested on its own.
"""
