"""Partners' own documents: which words will confuse (`terms`), and a text checked against the
glossary (`check`). `reading` turns uploaded files into text; `library` holds the use cases that
store documents and analyses. May import `glossary.entries` and `glossary.semantics`, never
`glossary.meeting`.
"""
