"""`python -m etl.replay FOLDER`: serve a snapshot and print its local URL."""

from etl.replay.server import main

raise SystemExit(main())
