"""Entry point of ``python -m coursekit.grade`` (see coursekit.grade.cli)."""
import sys

from coursekit.grade.cli import limit_own_memory, main

limit_own_memory()   # the grader's own memory is capped: a runaway callback fails, the batch goes on
sys.exit(main())
