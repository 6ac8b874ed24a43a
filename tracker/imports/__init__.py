"""Turn uploaded government documents into reviewable drafts.

Pure functions only (standard library, python-docx, pypdf): no Flask, no database,
so the parsers can run in a request, a job or a test alike.
"""
