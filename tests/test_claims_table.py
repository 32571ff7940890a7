"""course/CLAIMS.md is true of the repository: for every chapter whose notebook is in
course/, each of its claims has a test marked ``@pytest.mark.claim("Cn")`` in
tests/test_claims_chN.py and is named "(claim Cn)" in the notebook's markdown; the README
states how many claims are asserted so."""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "course" / "CLAIMS.md"


def claims_table() -> dict[str, int]:
    """Claim id -> chapter, from the tables of course/CLAIMS.md."""
    chapter, found = None, {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"## Chapter (\d+)", line)
        if m:
            chapter = int(m.group(1))
        m = re.match(r"\| (C\d+) \|", line)
        if m:
            assert m.group(1) not in found, f"{m.group(1)} is listed twice"
            found[m.group(1)] = chapter
    return found


def chapter_notebook(chapter: int) -> Path | None:
    found = sorted((ROOT / "course").glob(f"{chapter:02d}_*.ipynb"))
    return found[0] if found else None


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> dict[str, set[str]]:
    """Claim id -> files of the tests marked with it, as pytest collects them."""
    where = tmp_path_factory.mktemp("claims")
    (where / "claim_ids.py").write_text(textwrap.dedent("""
        import json, os
        def pytest_collection_finish(session):
            found = [[m.args[0], item.nodeid] for item in session.items
                     for m in item.iter_markers("claim")]
            with open(os.environ["CLAIM_IDS_OUT"], "w") as f:
                json.dump(found, f)
    """))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(where), os.environ.get("PYTHONPATH", "")]),
               CLAIM_IDS_OUT=str(where / "found.json"))
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "claim",
                          "-p", "claim_ids", "-p", "no:cacheprovider", "-p", "no:xdist", "tests"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    result: dict[str, set[str]] = {}
    for claim, nodeid in json.loads((where / "found.json").read_text()):
        result.setdefault(claim, set()).add(nodeid.split("::")[0])
    return result


def test_the_table_lists_c1_to_c44_by_chapter():
    table = claims_table()
    assert list(table) == [f"C{i}" for i in range(1, 45)]
    assert [table[f"C{i}"] for i in (1, 11, 12, 25, 26, 36, 37, 44)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_every_marked_claim_is_in_the_table(marked):
    assert set(marked) <= set(claims_table()), set(marked) - set(claims_table())


def covered_claims(marked) -> list[str]:
    """The claims of the chapters whose notebook is in course/ (they must all be covered)."""
    table = claims_table()
    return [c for c, chapter in table.items() if chapter_notebook(chapter) is not None]


def test_each_claim_of_a_published_chapter_has_a_marked_test_in_its_chapter_file(marked):
    table = claims_table()
    missing = [c for c in covered_claims(marked)
               if f"tests/test_claims_ch{table[c]}.py" not in marked.get(c, set())]
    assert not missing, f"no @pytest.mark.claim test in tests/test_claims_chN.py for {missing}"


def test_each_claim_of_a_published_chapter_is_named_in_its_notebook(marked):
    table = claims_table()
    missing = []
    for chapter in sorted(set(table.values())):
        notebook = chapter_notebook(chapter)
        if notebook is None:
            continue
        nb = nbformat.read(notebook, as_version=4)
        named = set(re.findall(r"\(claim (C\d+)\)",
                               "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")))
        missing += [c for c, ch in table.items() if ch == chapter and c not in named]
    assert not missing, f"not named '(claim Cn)' in their chapter notebook: {missing}"


def test_readme_states_the_number_of_claims_asserted(marked):
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    m = re.search(r"the (\d+) claims of the chapters in `course/` are each asserted by a test", readme)
    assert m, "README: say how many claims of the chapters in course/ are asserted by a test"
    assert int(m.group(1)) == len(covered_claims(marked))


def test_a_claim_whose_tests_all_skip_fails_the_run(tmp_path):
    """A claim counts as asserted only when one of its tests passed; --claim picks a claim's tests."""
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.claim('C98')\ndef test_passes():\n    pass\n\n"
        "@pytest.mark.claim('C99')\ndef test_skipped():\n    pytest.skip('a library is missing')\n")

    def run_pytest(*args):
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "coursekit.exercises.pytest_plugin",
                               "-p", "no:cacheprovider", "-q", *args, str(tmp_path)],
                              capture_output=True, text=True, cwd=tmp_path, timeout=600)

    everything = run_pytest()
    assert everything.returncode == 1 and "claim C99 is not asserted" in everything.stdout
    only_c98 = run_pytest("--claim", "C98")
    assert only_c98.returncode == 0 and "1 passed, 1 deselected" in only_c98.stdout
