"""The partnership glossary: entries and their versions, the pages' views, search, exports and
imports, share links and the framework of conditions.

Never imports ``glossary.meeting``: a meeting adopts into the glossary (``editing.stage_adoption``),
not the other way round. tests/test_architecture.py checks that.
"""
