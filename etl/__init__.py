"""cssamerica.com blog -> clean, deduplicated Parquet corpus.

Stages, in data-flow order: crawl (network -> raw archive), parse (html -> records),
load (records -> Parquet tables). Heavy libraries are imported lazily by the stages.
"""

__version__ = "0.1.0"
