"""cssamerica.com blog -> clean, deduplicated Parquet corpus.

Stages, in data-flow order, one package each: crawl (network -> raw archive), parse (html ->
records), load (records -> Parquet tables), analysis (tables -> people). `pipeline` runs them
in that order. Heavy libraries are imported lazily by the stages, so `etl --help` is instant.
"""

from __future__ import annotations

from types import ModuleType

__version__ = "0.1.0"


def __getattr__(name: str) -> ModuleType:
    # `from etl import corpus`, the notebook API, without importing pandas at `import etl`.
    if name == "corpus":
        from etl.analysis import corpus

        return corpus
    raise AttributeError(f"module 'etl' has no attribute {name!r}")
