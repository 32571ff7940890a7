"""Issue 19: a submission that computes nothing earns 0 of 75 points through the real grader.

Each function returns the constant or the echoed argument that an edge-case check alone
would accept (x0 as the whole path, the gradients unclipped, lr, x itself, a certain swap,
"not better", the first index); the edge cases are mixed with main cases, so none earns.
"""
import numpy as np

from coursekit.exercises import CHAPTERS
from coursekit.grade.grader import grade_submission

CONSTANT = {
    "ch1_gradient_descent.py": '''
import numpy as np
def gradient_descent(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    return np.array([x0], dtype=float)
def gd_step(x, grad, lr):
    return x
def lr_bounds(H):
    return (1.0, 1.0)
''',
    "ch2_modern_optimizers.py": '''
def clip_by_global_norm(grads, max_norm):
    return [g.copy() for g in grads]
def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    return lr_min
''',
    "ch3_convex_optimization.py": '''
def backtracking(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60):
    return lr
def project_ball(x, radius):
    return x.copy()
def project_box(x, low, high):
    return x.copy()
''',
    "ch4_hyperparameter_tuning.py": '''
def swap_probability(beta_i, beta_j, E_i, E_j):
    return 1.0
def confident_improvement(scores_new, scores_best, level=0.95):
    return False
def halving_survivors(scores, eta):
    return [0]
def search_loop(objective, configs, budget, seeds):
    return None, [float("nan")] * len(configs)
''',
}


def test_constant_and_echoed_answers_earn_nothing_through_the_grader(tmp_path):
    for name, source in CONSTANT.items():
        (tmp_path / name).write_text(source)
    for seed in (0, 1):
        result = grade_submission(tmp_path, seed=seed)
        earned = {c.id: c.points for ch in result.chapters for c in ch.checks if c.points}
        assert earned == {}, (seed, earned)
        assert sum(ch.max_score for ch in result.chapters) == sum(c.points for ch in CHAPTERS.values()
                                                                   for c in ch.CHECKS)
