"""The NumPy path's code written from each element (coursekit.optim.numpy_source) against the
hand-written blocked updates it replaced (coursekit/optim/inplace.py at b4b9826, read from git),
in one process: 1M parameters, median of 20 steps, best of 5 alternating rounds.

    .venv/bin/python benchmarks/numpy_codegen.py      (from a git checkout; about 30 s)
"""
import importlib.util, subprocess, sys, tempfile, time
import numpy as np
from coursekit import optim
from coursekit.optim import inplace as new
OLD = subprocess.run(["git", "show", "b4b9826:coursekit/optim/inplace.py"], capture_output=True, text=True,
                     check=True).stdout
with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
    f.write(OLD)
spec = importlib.util.spec_from_file_location("coursekit.optim._old_inplace", f.name)
old = importlib.util.module_from_spec(spec); sys.modules[spec.name] = old; spec.loader.exec_module(old)
settings = {"sgd": dict(lr=0.01, momentum=0.9, weight_decay=0.01), "adagrad": dict(lr=0.01, weight_decay=0.01),
            "rmsprop": dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01),
            "adam": dict(lr=0.01, weight_decay=0.01), "adamw": dict(lr=0.01, amsgrad=True)}
n = 1 << 20
for dtype in (np.float32, np.float64):
    print(dtype.__name__)
    for name, kw in settings.items():
        res = {}
        for rep in range(5):
            for label, mod in (("old", old), ("new", new)):
                x = np.ones(n, dtype); g = np.full(n, 0.5, dtype)
                opt = optim.OPTIMIZERS[name](x, fast="numpy", **kw)
                orig = new.step
                if mod is old:
                    import coursekit.optim.paths as P
                    P.inplace = old
                try:
                    for _ in range(3): opt.step(g)
                    ts = []
                    for _ in range(20):
                        t = time.perf_counter(); opt.step(g); ts.append(time.perf_counter() - t)
                finally:
                    import coursekit.optim.paths as P
                    P.inplace = new
                res.setdefault(label, []).append(np.median(ts) * 1e3)
        o, nw = min(res["old"]), min(res["new"])
        print(f"  {name:8s} old {o:6.3f} ms  new {nw:6.3f} ms  new/old {nw / o:4.2f}")
