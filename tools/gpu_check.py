"""``make gpu-check``: everything the course runs on a GPU, on an instructor's machine, offline.

Uses the CuPy already installed (``cupy-cuda12x`` or ``cupy-cuda13x``; nothing is downloaded),
then runs, each step skipped with one line when what it needs is missing:

1. the GPU probe (``coursekit.backend.describe()``);
2. the tests marked ``gpu`` (pytest; a skip other than "no GPU" counts as a failure);
3. the benchmark on CuPy (``python -m coursekit.bench --backend cupy``, JSON + plot under
   benchmarks/results/; ``--quick`` unless ``--full``);
4. each chapter's GPU section: the chapter executed from course/src in memory (the committed
   notebooks are never touched), its GPU section's cells checked to have run on the GPU (not
   the CPU stand-in they print without one).

It ends with one summary table; the exit status is 1 when a step failed, else 0 (skips included:
read the table). ``python tools/gpu_check.py --help`` for the options.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
GPU_HEADING = re.compile(r"^#+\s*\d+\.\s.*\bGPU\b", re.M)
CPU_STAND_IN = ("No usable GPU", "No GPU here", "could not run")


def _run(cmd, **kw):
    print("$", " ".join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw)


def probe():
    try:
        from coursekit import backend
    except Exception as exc:  # noqa: BLE001 - report, never crash the check
        return "fail", f"coursekit does not import: {type(exc).__name__}: {exc}"
    print(backend.describe(), flush=True)
    if backend.gpu_available():
        import cupy
        return "pass", f"CuPy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}"
    return "skip", f"no GPU: {backend.gpu_unavailable_reason()}"


def gpu_tests(gpu):
    if not gpu:
        return "skip", "no GPU (the tests marked gpu would all skip)"
    r = _run([sys.executable, "-m", "pytest", "tests", "-m", "gpu", "-p", "no:cacheprovider", "-n", "0",
              "-q", "-rs"], capture_output=True, text=True)
    print(r.stdout[-4000:], r.stderr[-2000:], sep="\n", flush=True)
    last = (r.stdout.strip().splitlines() or [""])[-1]
    skipped = re.findall(r"SKIPPED \[\d+\] (.*)", r.stdout)
    if r.returncode != 0:
        return "fail", last
    if skipped:
        return "fail", f"skipped with a GPU present: {skipped[0][:100]}"
    return "pass", last


def benchmark(gpu, full):
    if not gpu:
        return "skip", "no GPU"
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("latest-gpu.json" if full else "latest-gpu-quick.json")
    cmd = [sys.executable, "-m", "coursekit.bench", "--backend", "cupy", "--no-progress",
           "--json", str(out), "--plot", str(out.with_suffix(".png"))] + ([] if full else ["--quick"])
    r = _run(cmd)
    return ("pass", f"{out.relative_to(ROOT)} (+ .png)") if r.returncode == 0 else ("fail", f"exit {r.returncode}")


def chapter(src, gpu, timeout):
    """Execute one chapter; ('pass'|'fail'|'skip'|'cpu', note)."""
    try:
        import jupytext
        import nbclient
    except ImportError as exc:
        return "skip", f"{exc.name} is not installed (the dev extra)"
    nb = jupytext.read(src)
    marks = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and GPU_HEADING.search(c.source)]
    if not marks:
        return "skip", "no GPU section"
    try:          # the chapter picks the GPU itself in its GPU section (backend.gpu_available())
        nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(src.parents[1])}}).execute()
    except Exception as exc:  # noqa: BLE001 - a failing chapter is a row of the table
        return "fail", f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:120]}"
    end = next((i for i in range(marks[0] + 1, len(nb.cells)) if nb.cells[i].cell_type == "markdown"
                and re.match(r"^##\s", nb.cells[i].source)), len(nb.cells))
    text = "".join(o.get("text", "") + "".join(o.get("data", {}).get("text/plain", ""))
                   for c in nb.cells[marks[0]:end] if c.cell_type == "code" for o in c.get("outputs", []))
    stand_in = next((s for s in CPU_STAND_IN if s in text), None)
    if stand_in:
        return ("fail" if gpu else "cpu"), f"GPU section ran its CPU stand-in ('{stand_in}')"
    return "pass", f"GPU section: {sum(c.cell_type == 'code' for c in nb.cells[marks[0]:end])} cells on the GPU"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="the full benchmark (sizes up to 5e8; minutes)")
    ap.add_argument("--chapters", default="all", help="comma-separated chapter numbers (default all), or none")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per notebook cell")
    args = ap.parse_args(argv)
    rows = []

    def step(name, fn, *a):
        start = time.perf_counter()
        status, note = fn(*a)
        rows.append((name, status, time.perf_counter() - start, note))
        print(f"[{status}] {name}: {note}", flush=True)
        return status

    gpu = step("GPU probe", probe) == "pass"
    step("tests marked gpu", gpu_tests, gpu)
    step("benchmark --backend cupy", benchmark, gpu, args.full)
    wanted = None if args.chapters == "all" else {c.strip().zfill(2) for c in args.chapters.split(",")}
    for src in sorted((ROOT / "course" / "src").glob("[0-9][0-9]_*.py")):
        if args.chapters != "none" and (wanted is None or src.name[:2] in wanted):
            step(f"chapter {src.stem}", chapter, src, gpu, args.timeout)
    print("\ngpu-check summary")
    print(f"{'step':<38} {'status':<6} {'seconds':>8}  note")
    for name, status, seconds, note in rows:
        print(f"{name:<38} {status:<6} {seconds:>8.1f}  {note}")
    if not gpu:
        print("(no GPU here: the GPU steps were skipped; 'cpu' rows ran the chapters' CPU stand-ins)")
    return 1 if any(status == "fail" for _, status, _, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
