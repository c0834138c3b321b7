"""Analysis: the written tables for people: the corpus API, the figures, the HTML report."""
