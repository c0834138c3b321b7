"""`python -m etl` is the same as the `etl` console script."""

import sys

from etl.cli import main

sys.exit(main())
