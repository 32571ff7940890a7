"""``make gpu-check`` (tools/gpu_check.py) on a machine without a GPU: it says so in one line per
step it skips, ends with the summary table, and fails only when a step failed."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "tools" / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_gpu_every_gpu_step_is_skipped_with_its_reason(gpu_check, capsys, monkeypatch):
    from coursekit import backend
    monkeypatch.setattr(backend, "_probe", (False, "CuPy is not installed (test)"))
    assert gpu_check.main(["--chapters", "none"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("gpu-check summary"):].splitlines()
    assert table[1].split()[:3] == ["step", "status", "seconds"]
    rows = {line[:38].strip(): line[38:].split()[0] for line in table[2:5]}
    assert rows == {"GPU probe": "skip", "tests marked gpu": "skip", "benchmark --backend cupy": "skip"}
    assert "no GPU: CuPy is not installed (test)" in out and "no GPU here" in out


def test_a_failing_step_fails_the_check(gpu_check, monkeypatch, capsys):
    monkeypatch.setattr(gpu_check, "probe", lambda: ("pass", "pretend GPU"))
    monkeypatch.setattr(gpu_check, "gpu_tests", lambda gpu: ("fail", "1 failed"))
    monkeypatch.setattr(gpu_check, "benchmark", lambda gpu, full: ("pass", "ok"))
    assert gpu_check.main(["--chapters", "none"]) == 1
    assert "tests marked gpu" in capsys.readouterr().out


def test_a_chapter_that_ran_its_cpu_stand_in_on_a_gpu_machine_fails(gpu_check, tmp_path):
    pytest.importorskip("nbclient")
    src = tmp_path / "src" / "09_demo.py"
    src.parent.mkdir()
    src.write_text('# %% [markdown]\n# ## 1. GPU section: demo\n\n# %%\nprint("No usable GPU here")\n')
    assert gpu_check.chapter(src, False, 60)[0] == "cpu"
    assert gpu_check.chapter(src, True, 60)[0] == "fail"
    src.write_text('# %% [markdown]\n# ## 1. GPU section: demo\n\n# %%\nprint("ran")\n')
    assert gpu_check.chapter(src, True, 60)[0] == "pass"
