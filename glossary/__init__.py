"""Samenspraak's domain: definition rounds, meaning analysis and the partnership glossary.

Pure Python. Nothing in this package imports Flask or Socket.IO; callers pass arguments and
receive values, so every use case can be scripted and tested on its own.
"""
