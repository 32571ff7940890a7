"""Entry point of ``python -m coursekit.grade`` (see coursekit.grade.cli)."""
import sys

from coursekit.grade.cli import main

sys.exit(main())
