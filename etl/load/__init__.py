"""Load: a run's records merged on the canonical post URL into Parquet tables.

collect (one winner per URL as pages stream in) -> merge (with the stored corpus) ->
derive (whole-table steps in Arrow) -> store (atomic writes); tables declares every schema.
"""
