"""The notebook helper's table and where it finds exercises/ (coursekit.grade.notebook, coursekit.exercises.notebook)."""
import re

import pytest

from coursekit.grade import check
from coursekit.exercises import notebook
from coursekit.exercises.notebook import find_exercises
from judging import ROOT


@pytest.fixture(scope="module")
def stub_report():
    return check("ch1.gradient_descent", folder=ROOT / "exercises")


def test_each_distinct_hint_is_shown_once(stub_report):
    text, page = repr(stub_report), stub_report._repr_html_()
    hint = stub_report.results[0].hint
    assert len(stub_report.results) >= 4 and all(c.hint == hint for c in stub_report.results)
    assert text.count(hint) == 1 and page.count(hint) == 1
    assert text.count("same hint as gradient_descent/path") == len(stub_report.results) - 1


def test_text_table_header_lines_up_with_its_columns(stub_report):
    header, first = repr(stub_report).splitlines()[1:3]
    for column in ("status", "hint"):                                   # left-aligned under their headers
        start = header.index(column)
        assert first[start - 1] == " " and first[start] != " ", column
    end = header.index("points") + len("points")                        # points: right-aligned
    assert first[end - 1] != " " and first[end] == " "
    assert header.index("status") == first.index("not implemented")


def test_html_statuses_stay_on_one_line_and_headers_align_left(stub_report):
    page = stub_report._repr_html_()
    assert "<table>" in page
    assert all("text-align:left" in th for th in re.findall(r"<th style=[^>]*>", page))
    statuses = re.findall(r"<td style='([^']*)'>not implemented</td>", page)
    assert statuses and all("white-space:nowrap" in s for s in statuses)


def test_passed_rows_show_what_was_checked():
    done = check("ch1.lr_bounds", folder=ROOT / "solutions")
    assert done.passed and all(c.description in repr(done) for c in done.results)


def test_exercises_found_from_the_notebook_location_not_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)                                      # a kernel started somewhere else
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert find_exercises() == ROOT / "exercises"                    # the installed (editable) project
    other = tmp_path / "other"
    (other / "exercises").mkdir(parents=True)
    (other / "exercises" / "ch1_gradient_descent.py").write_text("")
    (other / "course").mkdir()
    monkeypatch.setenv("JPY_SESSION_NAME", str(other / "course" / "01_gradient_descent.ipynb"))
    assert find_exercises() == other / "exercises"                   # the notebook's project comes first
    assert find_exercises(start=ROOT / "coursekit") == ROOT / "exercises"


def test_no_exercises_folder_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(notebook, "_notebook_path", lambda: None)
    with pytest.raises(FileNotFoundError, match="pass folder="):
        find_exercises(start=tmp_path)
