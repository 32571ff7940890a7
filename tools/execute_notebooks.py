"""Re-execute chapter notebooks in place so their committed outputs are fresh.

    python tools/execute_notebooks.py course/*.ipynb

Runs each notebook top to bottom in a fresh kernel (from its own folder, as JupyterLab
would) and writes it back with outputs only when every cell succeeded.
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for p in map(Path, paths):
        print(f"{p}: {execute(p):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
