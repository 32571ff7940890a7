"""python -m coursekit.bench: the --quick run end to end (JSON, plot, table), and its pieces."""
import json

import numpy as np
import pytest

from coursekit.bench import bandwidth, contenders
from coursekit.bench.__main__ import main
from coursekit.bench.report import format_record


def test_quick_run_writes_json_plot_and_table(tmp_path, capsys):
    out, png = tmp_path / "bench.json", tmp_path / "bench.png"
    assert main(["--quick", "--sizes", "200000", "--json", str(out), "--plot", str(png), "--no-progress"]) == 0
    record = json.loads(out.read_text())
    assert record["quick"] and record["bandwidth"]["best"] > 0.1          # GB/s: any machine does more
    rows = record["results"]
    assert {r["optimizer"] for r in rows} == {"SGD momentum", "Adam"}
    assert {"reference", "numpy"} <= {r["contender"] for r in rows}
    for r in rows:
        assert len(r["ms"]) == record["settings"]["repeats"] and r["min"] <= r["median"] <= r["max"]
        assert 0 < r["bound_ms"] and r["x_bound"] > 0        # a = b + c timed beside the steps
        assert r["warmup_ms"] > 0                            # the untimed first steps, reported apart
        for t, ratio in r["x_torch"].items():
            assert ratio["min"] <= ratio["median"] <= ratio["max"]
            if r["contender"] == t:
                assert ratio["median"] == 1.0
    s = record["sweep"]
    assert s["configs"] == 10_000 and s["max_abs_difference"] == 0.0   # batched = single runs, bit for bit
    assert s["speedup"] > 1
    assert any(t["target"].startswith("sweep") for t in record["targets"])
    assert png.stat().st_size > 10_000
    text = capsys.readouterr().out
    assert "memory bandwidth" in text and "| Adam | 200,000 | numpy |" in text and "targets:" in text
    assert format_record(record) in text


def test_bound_counts_the_arrays_a_fused_step_moves():
    # Adam reads p, g, m, v and writes p, m, v: 7 arrays; 10M float32 at 28 GB/s -> 10 ms
    assert bandwidth.bound_ms("Adam", 10_000_000, 4, 28.0) == pytest.approx(10.0)
    assert bandwidth.bound_ms("SGD momentum", 10_000_000, 4, 20.0) == pytest.approx(10.0)


def test_contenders_step_the_shared_arrays_in_place():
    p, g = np.ones(1000, np.float32), np.full(1000, 0.5, np.float32)
    for name in contenders.OPTIMIZERS:
        before = p.copy()
        contenders.make(np, name, "numpy", p, g)()
        assert np.all(p < before), name
    if contenders.torch_variants(np, "Adam"):
        before = p.copy()
        contenders.make(np, "Adam", "torch fused", p, g)()
        np.testing.assert_allclose(before - p, 1e-3, rtol=1e-3)            # Adam's first step: lr * sign(g)


def test_importing_the_optimizers_and_the_bench_loads_no_plotting_and_no_optional_package():
    import subprocess
    import sys
    code = ("import sys, numpy as np, coursekit.optim as o, coursekit.bench.run; "
            "o.Adam(np.zeros(100)).step(np.ones(100)); "
            "print(sorted(m for m in ('matplotlib', 'numba', 'torch', 'cupy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
