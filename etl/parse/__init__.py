"""Parse: pure functions from a page's bytes to records (strings in, records out, no I/O).

decode (bytes -> str as browsers do) -> page (one page's kind, term, records, problems)
with the extraction rules (selectors), the heading and date rules and the body text rules.
"""
