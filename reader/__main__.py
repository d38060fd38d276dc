"""`python -m reader` runs the `newsreader` command."""

import sys

from reader.cli import main

sys.exit(main())
