"""The notebooks' reuse cells (coursekit.exercises.reuse): the checks' time limit and fallback rules,
one message, labels that say whose code drew what (issue 22's ch2 cells 23 and 61, ch3 cell 39)."""
import textwrap

import numpy as np
import pytest

from coursekit.exercises import yours_or_reference


def learner(tmp_path, module, source):
    folder = tmp_path / "exercises"
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.py").write_text("import numpy as np\n\n" + textwrap.dedent(source))
    return folder


def reference_adam(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
    return p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


def test_an_adam_step_returning_lists_falls_back_once_without_a_traceback(tmp_path, capsys):
    folder = learner(tmp_path, "ch2_modern_optimizers", """
        def adam_step(p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            return list(p - lr * m / (np.sqrt(v) + eps)), list(m), list(v)
    """)
    step = yours_or_reference("ch2.adam_step", reference_adam, folder=folder)
    p, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(1, 6):                                    # the state the reference gets is never a list
        p, m, v = step(p, np.ones(3), m, v, t, 1e-3)
    assert all(isinstance(a, np.ndarray) for a in (p, m, v))
    out = capsys.readouterr().out
    assert out.count("adam_step") == 1 and "returned a list" in out and "Traceback" not in out
    assert step.used == "reference" and step.whose() == "reference"


def test_a_fallback_in_the_middle_of_a_run_says_so_once_and_labels_the_mix(tmp_path, capsys):
    folder = learner(tmp_path, "ch2_modern_optimizers", """
        def momentum_step(p, g, buf, lr, momentum):
            b = g.copy() if buf is None else momentum * buf + g
            if buf is not None and momentum > 0:
                raise ValueError("not yet for momentum > 0")
            return p - lr * b, b
    """)
    step = yours_or_reference("ch2.momentum_step",
                              lambda p, g, buf, lr, mom: ((p - lr * (g if buf is None else mom * buf + g)),
                                                          g.copy() if buf is None else mom * buf + g),
                              folder=folder)
    labels = []
    for mom in [0.0, 0.7]:                                   # chapter 2's cell 23: one label per run
        p, buf = np.ones(2), None
        for _ in range(5):
            p, buf = step(p, p, buf, 0.1, mom)
        labels.append(step.used)
    assert labels == ["yours", "yours, then the reference"]
    out = capsys.readouterr().out
    assert out.count("momentum_step") == 1 and "earlier calls were yours" in out
    p, buf = step(np.ones(2), np.ones(2), None, 0.1, 0.0)    # a later run: the reference from the start
    assert step.used == "reference" and step.used == "reference"   # reading twice changes nothing


def test_a_backtracking_that_never_stops_is_stopped_at_the_limit(tmp_path, capsys):
    folder = learner(tmp_path, "ch3_convex_optimization", """
        def backtracking(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
            t = lr
            while f(x + t * direction) > f(x) + c * t * float(grad @ direction):
                t = t                                        # forgot to shrink
            return t
    """)
    armijo = yours_or_reference("ch3.backtracking", lambda f, x, d, g, lr=1.0, shrink=0.5, c=1e-4: 0.25,
                                folder=folder, timeout=0.5)
    f = lambda z: float(z @ z)
    x = np.array([1.0, 1.0])
    ts = [armijo(f, x, -2 * x, 2 * x, lr=1.0) for _ in range(3)]   # chapter 3's cell 39 loops over steps
    assert ts == [0.25, 0.25, 0.25]
    out = capsys.readouterr().out
    assert out.count("backtracking") == 1 and "within 0.5 s" in out and "does every loop in it end?" in out
    assert armijo.used == "reference"


def test_an_input_changed_in_place_is_noted_once_and_the_notebook_keeps_its_arrays(tmp_path, capsys):
    folder = learner(tmp_path, "ch2_modern_optimizers", """
        def clip_by_global_norm(grads, max_norm):
            total = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
            for g in grads:
                g *= min(1.0, max_norm / (total + 1e-6))
            return grads
    """)
    clip = yours_or_reference("ch2.clip_by_global_norm", lambda gs, c: [g * 0.5 for g in gs], folder=folder)
    grads = [np.full(3, 2.0), np.full((2, 2), 2.0)]
    kept = [g.copy() for g in grads]
    for _ in range(2):
        clipped = clip(grads, 1.0)
    assert all(np.array_equal(g, k) for g, k in zip(grads, kept))     # the cosine check compares real arrays
    assert not np.allclose(clipped[0], grads[0])
    out = capsys.readouterr().out
    assert out.count("changed an input array in place") == 1 and clip.used == "yours"


def test_numpy_scalars_count_as_python_ones_in_the_cells_too(tmp_path):
    folder = learner(tmp_path, "ch4_hyperparameter_tuning", """
        def tournament_select(scores, k, seed):
            picks = np.random.default_rng(seed).choice(len(scores), size=k, replace=False)
            return picks[np.argmin(np.asarray(scores)[picks])]
    """)
    pick = yours_or_reference("ch4.tournament_select", lambda s, k, seed: 0, folder=folder)
    assert isinstance(pick(np.arange(6.0), 3, 1), np.integer) and pick.used == "yours"


def test_an_unfinished_exercise_says_so_once(capsys):
    from judging import ROOT
    stub = yours_or_reference("ch1.gd_step", lambda x, g, lr: x - lr * g, folder=ROOT / "exercises")
    for _ in range(3):
        assert stub(1.0, 2.0, 0.25) == 0.5
    out = capsys.readouterr().out
    assert out.count("not implemented yet") == 1 and stub.used == "reference"


def test_the_check_of_a_never_ending_loop_asks_whether_it_ends(tmp_path):
    from coursekit.grade import check
    folder = learner(tmp_path, "ch3_convex_optimization", """
        def backtracking(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
            t = lr
            while f(x + t * direction) > f(x) + c * t * float(grad @ direction):
                t = t                                        # forgot to shrink
            return t
    """)
    report = check("ch3.backtracking", folder=folder, timeout=1.0)
    stuck = [c for c in report.results if c.status == "timeout"]
    assert stuck and all("does every loop of backtracking end?" in c.hint for c in stuck)
    assert not any("too large to read" in c.hint for c in stuck)
