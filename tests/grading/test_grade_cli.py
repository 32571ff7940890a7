"""``python -m coursekit.grade`` on the repository's stubs and solutions, zips, odd folders,
and the notebook helper ``coursekit.grade.check``."""
import functools
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from coursekit.exercises import CHAPTERS, yours_or_reference
from coursekit.exercises.checks import ch1
from coursekit.grade import check
from coursekit.exercises.notebook import find_exercises
from coursekit.grade import grade_submission
from coursekit.grade import report
from coursekit.grade.cli import main

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "ch1_gradient_descent.py"
CH1_TOTAL = sum(c.points for c in ch1.CHECKS)
TOTAL = sum(c.points for chapter in CHAPTERS.values() for c in chapter.CHECKS)


def test_solutions_score_100_percent():
    result = grade_submission(ROOT / "solutions")
    assert result.max_score > 0 and result.score == result.max_score
    assert all(c.passed for ch in result.chapters for c in ch.checks)


def test_stubs_score_0_with_a_hint_per_exercise():
    result = grade_submission(ROOT / "exercises")
    assert result.score == 0
    rows = [row for ch in result.chapters for row in ch.exercises()]
    assert sorted(r.exercise for r in rows) == sorted({c.exercise for ch in CHAPTERS.values() for c in ch.CHECKS})
    for row in rows:
        assert row.status == "not implemented" and "not implemented yet" in row.hint and row.exercise in row.hint


def test_the_learner_sees_a_table_the_total_and_what_next(capsys):
    assert main([str(ROOT / "exercises"), "--chapter", "1"]) == 0
    out = capsys.readouterr().out
    assert "Chapter 1: Gradient descent" in out and "numerical_gradient" in out
    assert f"Total: 0/{CH1_TOTAL:g} points (0%)" in out
    assert "Next: fix numerical_gradient in ch1_gradient_descent.py" in out and ch1.NOTEBOOK in out


def test_json_is_a_gradescope_results_file(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main([str(ROOT / "solutions"), "--json", str(out), "--chapter", "1"]) == 0
    results = json.loads(out.read_text())
    assert results["score"] == sum(t["score"] for t in results["tests"]) == CH1_TOTAL
    assert len(results["tests"]) == len(ch1.CHECKS)
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] == "passed" and test["visibility"] == "visible"


def test_a_zip_is_graded_like_a_folder(tmp_path):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("alice/exercises/ch1_gradient_descent.py", SOLUTION.read_text())
        z.writestr("__MACOSX/alice/exercises/ch1_gradient_descent.py", "garbage")
        z.writestr("alice/conftest.py", "raise SystemExit\n")
        z.writestr("../../evil/ch1_gradient_descent.py", "import os\nos._exit(1)\n")
    result = grade_submission(archive, chapters=[1])
    assert result.name == "alice" and result.score == CH1_TOTAL, result


def test_missing_chapters_and_odd_paths_score_0_with_a_clear_line(tmp_path, capsys):
    assert main([str(tmp_path)]) == 0
    assert "ch1_gradient_descent.py not found: chapter 1 scores 0" in capsys.readouterr().out
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    for path in (tmp_path / "nothing_here", tmp_path / "broken.zip"):
        result = grade_submission(path)
        assert result.score == 0 and all(c.status == "not submitted" for ch in result.chapters for c in ch.checks)


def test_a_differently_named_chapter_module_is_found(tmp_path):
    (tmp_path / "ch1_my_work.py").write_text(SOLUTION.read_text())
    (tmp_path / "notes.txt").write_text("extra files are ignored")
    assert grade_submission(tmp_path, chapters=[1]).score == CH1_TOTAL


def test_the_module_runs_as_a_command():
    done = subprocess.run([sys.executable, "-m", "coursekit.grade", str(ROOT / "solutions"), "--timeout", "5"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and f"Total: {TOTAL:g}/{TOTAL:g} points (100%)" in done.stdout
    done = subprocess.run([sys.executable, "-m", "coursekit.grade", "--jobs", "0"], capture_output=True, text=True)
    assert done.returncode == 2 and "--jobs" in done.stderr


def test_notebook_helper_shows_a_table_never_a_traceback():
    report = check("ch1.numerical_gradient", folder=ROOT / "exercises")
    assert report.score == 0 and not report.passed
    assert "not implemented" in repr(report) and "Traceback" not in repr(report)
    assert "<table>" in report._repr_html_() and "not implemented" in report._repr_html_()
    done = check("ch1", folder=ROOT / "solutions")
    assert done.passed and done.score == done.max_score == CH1_TOTAL


def test_notebook_helper_finds_exercises_and_names_bad_input(monkeypatch):
    monkeypatch.chdir(ROOT / "coursekit")
    assert find_exercises() == ROOT / "exercises"
    with pytest.raises(ValueError, match="name must be"):
        check("ch1.no_such_exercise")
    with pytest.raises(ValueError, match="chapter must be"):
        check("ch99.numerical_gradient")


def test_figures_use_your_function_once_it_works(tmp_path, capsys):
    reference = lambda x, grad, lr: "reference"
    stub = yours_or_reference("ch1.gd_step", reference, folder=ROOT / "exercises")
    assert stub(1.0, 1.0, 0.1) == "reference" and stub(1.0, 1.0, 0.1) == "reference"
    assert stub.used == "reference"
    assert capsys.readouterr().out.count("gd_step is not implemented yet") == 1   # said once
    mine = yours_or_reference("ch1.gd_step", reference, folder=ROOT / "solutions")
    assert mine(1.0, 2.0, 0.25) == 0.5 and mine.used == "yours"
    (tmp_path / "ch1_gradient_descent.py").write_text("def gd_step(x, grad, lr):\n    return x - lr *\n")
    broken = yours_or_reference("ch1.gd_step", reference, folder=tmp_path)   # a syntax error in the file
    assert broken(1.0, 2.0, 0.25) == "reference" and "raised SyntaxError" in capsys.readouterr().out


def test_the_grader_stays_apart_from_plots_and_widgets():
    code = ("import sys, coursekit.grade.cli, coursekit.exercises.notebook, coursekit.exercises.sync; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets') "
            "or m in ('coursekit.plots', 'coursekit.widgets')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


ZEROS = "import numpy as np\n\ndef numerical_gradient(f, x, eps=1e-6):\n    return np.zeros(np.shape(x))\n"


def test_verbose_shows_every_failing_check(tmp_path, capsys):
    (tmp_path / "ch1_gradient_descent.py").write_text(ZEROS)
    gradient_checks = [c.name for c in ch1.CHECKS if c.exercise == "numerical_gradient"]
    assert main([str(tmp_path), "--chapter", "1", "--seed", "1"]) == 0
    short = capsys.readouterr().out
    assert f"(and {len(gradient_checks) - 1} more failing checks: see them all with -v)" in short
    assert main([str(tmp_path), "--chapter", "1", "--seed", "1", "-v"]) == 0
    verbose = capsys.readouterr().out
    assert all(f"[{name}]" in verbose for name in gradient_checks)
    assert "more failing check" not in verbose


def test_a_long_array_hint_names_the_entries_that_differ():
    from coursekit.exercises.spec import close

    expected = np.zeros(40)
    expected[[3, 17]] = [0.25, -1.5]
    hint = close(np.zeros(40), expected, what="the gradient")
    assert "2 of 40 entries differ: [3] expected 0.25, got 0; [17] expected -1.5, got 0" in hint


def test_the_output_names_the_seed_it_used_and_the_seed_repeats_the_run(tmp_path, capsys):
    """Unseeded, a new seed is drawn and printed (text, CSV, JSON); passing it back repeats the run."""
    import csv
    import re

    (tmp_path / "ch1_gradient_descent.py").write_text(ZEROS)   # its hints quote the drawn inputs
    assert main([str(tmp_path), "--chapter", "1", "-v", "--json", str(tmp_path / "r.json")]) == 0
    first = capsys.readouterr().out
    seed = int(re.search(r"Inputs drawn with seed (\d+); repeat this run exactly with --seed \1\.", first).group(1))
    assert f", seed {seed}]" in first and json.loads((tmp_path / "r.json").read_text())["extra_data"] == {"seed": seed}
    assert main([str(tmp_path), "--chapter", "1", "-v", "--seed", str(seed)]) == 0
    again = capsys.readouterr().out
    def drop_times(text):                                # times, and the worker's random user id, vary
        return re.sub(r"user \d+:\d+", "user N:N", re.sub(r"\[[0-9.]+ s", "[", text))
    assert drop_times(again) == drop_times(first.replace(f"\n\nwrote {tmp_path / 'r.json'}", ""))
    # a batch: submission k (from 0) is drawn with seed + k, in its CSV row; alone, that seed repeats it
    other = tmp_path / "other"
    other.mkdir()
    (other / "ch1_gradient_descent.py").write_text(ZEROS)
    assert main([str(tmp_path), str(other), "--chapter", "1", "--seed", "40", "--csv", str(tmp_path / "g.csv")]) == 0
    assert "Inputs drawn with seed 40 (submission k, from 0, with seed + k" in capsys.readouterr().out
    with open(tmp_path / "g.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [row["seed"] for row in rows] == ["40", "41"]
    batch_json = json.loads(Path(rows[1]["results_json"]).read_text())
    alone = grade_submission(other, chapters=[1], seed=41)
    assert [t["output"] for t in batch_json["tests"]] == [t["output"] for t in report.gradescope(alone)["tests"]]


def test_a_negative_seed_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["exercises", "--seed", "-1"])
    assert "--seed" in capsys.readouterr().err


def test_every_zip_problem_is_a_clear_line_for_that_submission(tmp_path):
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as z:
        z.writestr("ch1_gradient_descent.py", SOLUTION.read_text())
        z.writestr("ch9_not_a_chapter.py", "raise SystemExit\n")
        z.writestr("ch1_gradient_descent_copy.py", "raise SystemExit\n")
    assert grade_submission(good, chapters=[1]).score == CH1_TOTAL
    (tmp_path / "fake.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)   # an empty archive
    result = grade_submission(tmp_path / "fake.zip", chapters=[1])
    assert result.score == 0 and "not found" in result.chapters[0].note


def test_a_linked_submission_and_a_zip_of_many_files_are_refused_unread(tmp_path):
    """A submission that is a symbolic link could point at the solutions (or anywhere); a zip's
    member count is read from its end record before its index is loaded."""
    (tmp_path / "linked").symlink_to(ROOT / "solutions")
    linked = grade_submission(tmp_path / "linked", chapters=[1])
    assert linked.score == 0 and "symbolic link" in linked.note
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("ch1_gradient_descent.py", SOLUTION.read_text())
        for i in range(10_001):
            z.writestr(f"pad/{i}", b"")
    crowded = grade_submission(many, chapters=[1])
    assert crowded.score == 0 and "10002 files" in crowded.note


def test_csv_cells_never_start_a_spreadsheet_formula():
    from coursekit.grade.report import _cell

    assert [_cell(t) for t in ["=HYPERLINK(1)", "+1", "-2", "@SUM", "alice", ""]] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@SUM", "alice", ""]


def test_one_chapter_s_checks_stop_at_the_chapter_budget(tmp_path):
    """Every call answers just inside its own timeout; the chapter's budget still ends the session."""
    from coursekit.grade.parent import Limits
    from coursekit.grade.grader import ChapterSession

    names = sorted({c.exercise for c in ch1.CHECKS})
    (tmp_path / "ch1_gradient_descent.py").write_text("import time\n" + "".join(
        f"def {name}(*args, **kwargs):\n    time.sleep(0.4)\n    return 0.0\n" for name in names))
    with ChapterSession(tmp_path / "ch1_gradient_descent.py", ch1, Limits(timeout=2, chapter_s=1.0)) as session:
        results = [session.run(c) for c in ch1.CHECKS[:8]]
    assert results[0].status != "not run"
    assert results[-1].status == "not run" and "in all" in results[-1].hint


def test_submission_names_are_unique_and_file_safe():
    from coursekit.grade.cli import _unique_names

    assert _unique_names(["a/hw", "b/hw", "c/hw-2", "d/HW", "e/../x y.zip"]) == ["hw", "hw-2", "hw-2-2", "HW-3", "x_y"]


def test_a_worker_that_cannot_start_fails_its_submission_not_the_batch(tmp_path, monkeypatch, capsys):
    import coursekit.grade.cli as cli
    from coursekit.grade.parent import SandboxError

    real = cli.grade_submission

    def flaky(path, *args, **kwargs):
        if Path(path).name == "exercises":
            raise SandboxError("the grading worker did not start: boot timeout")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cli, "grade_submission", flaky)
    grades = tmp_path / "grades.csv"
    assert main([str(ROOT / "exercises"), str(ROOT / "solutions"), "--chapter", "1", "--csv", str(grades)]) == 0
    rows = grades.read_text().splitlines()
    assert len(rows) == 3 and "not graded: the grading worker did not start" in rows[1]
    assert f",{CH1_TOTAL:g},{CH1_TOTAL:g},100.0," in rows[2]
