"""The benchmark record as text: a Markdown table per optimizer, the sweep and the targets."""
from __future__ import annotations

__all__ = ["format_record"]


def _ratio(row, key):
    r = row["x_torch"].get(key)
    return "" if r is None else f"{r['median']:.2f} ({r['min']:.2f}-{r['max']:.2f})"


def format_record(record) -> str:
    m, bw = record["machine"], record["bandwidth"]
    versions = ", ".join(f"{k} {m[k]}" for k in ("numpy", "numba", "torch", "cupy") if m.get(k))
    lines = [f"coursekit.bench: {record['backend']} backend, {record['dtype']}, {m['cpu_count']} CPU cores, "
             f"load average {m['load_average'][0]:.1f} at the start; {versions}",
             "memory bandwidth (best of 5; a = b + c counts 4 arrays on a CPU, 3 on a GPU; sum reads 1): "
             + ", ".join(f"{k} {v:.1f} GB/s" for k, v in bw["gbps"].items())
             + "; bound = a = b + c on the step's N, timed in each repeat beside the steps and scaled "
             "to the arrays the step moves (x bound: median of per-repeat ratios)",
             f"ms per step: median (min-max) over {record['settings']['repeats']} interleaved repeats of "
             f"{record['settings']['steps']} steps (1 above 10M); x torch = median (min-max) of per-repeat ratios; "
             "warm-up = two untimed steps before (compilation, first calls)", ""]
    lines += ["| optimizer | N | code | ms/step | x bound | x torch default | x torch foreach | x torch fused "
              "| warm-up ms |", "|---|---|---|---|---|---|---|---|---|"]
    for row in record["results"]:
        lines.append(f"| {row['optimizer']} | {row['n']:,} | {row['contender']} | "
                     f"{row['median']:.2f} ({row['min']:.2f}-{row['max']:.2f}) | {row['x_bound']:.2f} | "
                     + " | ".join(_ratio(row, f"torch {k}") for k in ("default", "foreach", "fused"))
                     + (f" | {row['warmup_ms']:.1f} |" if "warmup_ms" in row else " | |"))
    for skip in record["skipped"]:
        lines.append(f"(N = {skip['n']:,} skipped: {skip['reason']})")
    s = record["sweep"]
    lines += ["", f"sweep: {s['configs']:,} SGD-momentum configurations x {s['steps']} steps on Rosenbrock "
                  f"({s['dtype']}): batched {1e3 * s['batched_s']:.1f} ms, loop of single runs "
                  f"{s['loop_s']:.1f} s (timed on {s['loop_measured_configs']} runs, scaled), "
                  f"{s['speedup']:.0f}x; max |batched - single| = {s['max_abs_difference']:.1e}"
                  f" ({s['diverged']} diverged runs left out)", "", "targets:"]
    for t in record["targets"]:
        lines.append(f"  {'met   ' if t['met'] else 'MISSED'} {t['target']}: measured {t['ratio']:.2f}")
    return "\n".join(lines)
