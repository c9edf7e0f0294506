"""One round's life in a meeting: the rules (``rounds``), sentence vectors (``vectors``), meanings
and corrections (``meanings``), drift from the glossary (``drift``), the discussion and listening
check (``discussion``), consent and adoption (``consent``), what each screen sees (``state``), and
the meeting's summary (``summary``, ``outline``, ``summary_pdf``).

May import ``glossary.entries`` (adoption writes the glossary); never the other way round.
"""
