"""Parse: pure functions from a page's bytes to records (strings in, records out, no I/O).

decode (bytes -> str as browsers do) -> page (one page's kind, term, records, problems):
navigation (kind, archive, pagination), teasers (the teaser block), loop (which blocks are
posts), posts and terms (each post's fields), by the rules of selectors (data only), the
heading and date rules (dates) and the body text rules (text). profile: what the parser
learns about a site, and the site's own rules.
"""
