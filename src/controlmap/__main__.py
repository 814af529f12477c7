"""``python -m controlmap`` is the command line."""

import sys

from controlmap.cli import main

sys.exit(main())
