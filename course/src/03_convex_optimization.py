# %% [markdown]
# # Chapter 3 · Convex optimization
#
# *Optimization for Machine Learning*, an open course in notebooks. Source of this notebook:
# `course/src/03_convex_optimization.py` (rebuild it with `make notebooks`).
#
# **At the end of this chapter you will be able to**
#
# - test a function for convexity with chords and with the Hessian, and say which operations keep it;
# - make a non-convex function convex with an L2 penalty, and know how large the penalty must be;
# - explain why a convex problem has no bad local minima;
# - run Newton's method, see its digits double, and know when its linear solve is fragile and what
#   a step costs as the dimension grows;
# - solve a symmetric positive definite system with conjugate gradient and read it as momentum;
# - assemble a Hessian from small element Hessians;
# - handle constraints by projection and an L1 penalty by a proximal step (ISTA, FISTA, the Lasso).
#
# **It builds on** chapter 1 (gradient descent, the condition number $\kappa = L/\mu$, the rate
# $(\kappa-1)/(\kappa+1)$) and chapter 2 (momentum). Everything runs on a laptop in well under a
# minute; a last section times conjugate gradient and Newton's solve on a GPU.
#
# **How it is organized.** Each idea comes as intuition, math, code (short calls into `coursekit`,
# here mostly `coursekit.convex`), evidence (a plot or a table), then a question or an exercise.
# Claims carry an id such as *(claim C30)*; the test suite asserts each one (`pytest -m claim`).
#
# **Exercises** live in `exercises/ch3_convex_optimization.py` (9 functions, 20.5 points): open that file next to this notebook,
# replace each `raise NotImplementedError` by your code, and run the check cell below the exercise.
# Grade the whole chapter in one command: `python -m coursekit.grade exercises/ --chapter 3`.

# %%
import inspect
import time

import numpy as np
import matplotlib.pyplot as plt
import scipy.optimize
import scipy.sparse.linalg

%config InlineBackend.figure_format = "png"
plt.rcParams.update({"figure.figsize": (6, 4), "figure.dpi": 110, "axes.grid": True,
                     "grid.alpha": 0.3, "font.size": 10})

from coursekit import backend, convex, functions, minimize, optim, plots
from coursekit.experiments import ch3 as compare
from coursekit.widgets import convex as convex_explorer
from coursekit.exercises import yours_or_reference
from coursekit.grade import check
from coursekit.plots import convex as cplots

print(backend.describe())

# %% [markdown]
# ## 1. Convex sets and convex functions
#
# A set $C$ is **convex** when it contains the segment between any two of its points. A function
# $f$ is **convex** when its graph lies below every chord:
#
# $$f\big(t x + (1-t) y\big) \;\le\; t f(x) + (1-t) f(y) \qquad \text{for all } x, y \text{ and } t \in [0, 1].$$
#
# For a twice differentiable $f$ this is the same as a **positive semidefinite Hessian everywhere**,
# $\nabla^2 f(x) \succeq 0$; a positive *definite* Hessian makes $f$ strictly convex, with at most
# one minimizer (claim C26). The chord condition needs no derivatives, so it can be tested by
# sampling: draw $x$, $y$, $t$ and look for a chord that the graph rises above. One such chord
# proves non-convexity; finding none is evidence, not proof.
#
# Below, a convex function (log-sum-exp, $\log(e^x + e^{-x})$) and a non-convex one (a double well $x^4/4 - x^2/2$) on a
# line, each with one chord.

# %%
lse = lambda x: np.logaddexp(x[..., 0], -x[..., 0])      # log(e^x + e^-x), a smoothed |x|
well = lambda x: np.sum(x ** 4 / 4 - x ** 2 / 2, axis=-1)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.3))
cplots.chord(lse, np.array([2.0]), np.array([-2.0]), t=0.5, ax=a1,
             title="log-sum-exp: the chord stays above the graph")
cplots.chord(well, np.array([1.2]), np.array([-1.2]), t=0.5, ax=a2,
             title="double well: the graph rises above the chord")
fig.tight_layout()

# %% [markdown]
# The same test in two dimensions, on four of the course's landscapes. `convex.find_violation`
# samples 10,000 chords in a box and returns the worst one it finds (or `None`); next to it, the
# smallest Hessian eigenvalue on a grid of the same box.

# %%
print(inspect.getsource(convex.find_violation).split('"""')[2].strip())

# %%
# NBVAL_CHECK_OUTPUT
box = ([-2.0, -2.0], [2.0, 2.0])
landscapes = {"quadratic, eigenvalues (1, 8)": functions.Quadratic([1.0, 8.0], angle=0.4),
              "quadratic, eigenvalues (0, 3)": functions.Quadratic([0.0, 3.0]),
              "Rosenbrock": functions.Rosenbrock(), "Himmelblau": functions.Himmelblau()}
print(f"{'landscape':<32} {'chord violation found':>22} {'min Hessian eigenvalue':>23}")
for name, land in landscapes.items():
    found = convex.find_violation(land.value, *box)
    lam_min, _ = convex.min_hessian_eigenvalue(land.hessian, *box, resolution=81)
    print(f"{name:<32} {str(found is not None):>22} {lam_min:>23.3f}")

# %% [markdown]
# The two tests agree: the chord checker finds a violation exactly where some Hessian eigenvalue
# in the box is negative (claim C26). The quadratic with eigenvalues $(0, 3)$ is convex but not
# strictly: its Hessian is only semidefinite, and it has a whole line of minimizers. Here are the
# contour maps of a convex and a non-convex landscape; on the right, the worst chord found.

# %%
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.8))
plots.contour(landscapes["quadratic, eigenvalues (1, 8)"], ax=a1)
a1.set_title("Convex: one basin, every sublevel set convex", fontsize=10)
him = landscapes["Himmelblau"]
plots.contour(him, ax=a2, mark_stationary=True)
x, y, t = convex.find_violation(him.value, [-5, -5], [5, 5])
a2.plot([x[0], y[0]], [x[1], y[1]], "r-", lw=2, label="violating chord")
a2.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))   # outside: keeps the chord visible
a2.set_title("Non-convex: four minima, a maximum and four saddles", fontsize=10)
fig.tight_layout()

# %% [markdown]
# ### Exercise 1 · `chord_gap(f, x, y, t)`
#
# Return $t f(x) + (1-t) f(y) - f\big(t x + (1-t) y\big)$, how far the chord lies above the graph:
# negative means a violation. Then the cell after the check uses your function to scan chords of
# the double well along the line through $\pm 1.2$. (The rules of every exercise, as in chapter 1:
# NumPy scalars count as Python ones, arrays are float64, inputs stay unchanged, 10 s per call.)

# %%
check("ch3.chord_gap")

# %%
gap = yours_or_reference("ch3.chord_gap", lambda f, x, y, t: t * f(x) + (1 - t) * f(y) - f(t * x + (1 - t) * y))
one_point = lambda z: float(well(np.asarray(z)))
ts = np.linspace(0, 1, 101)
gaps = [gap(one_point, np.array([1.2]), np.array([-1.2]), t) for t in ts]
ax = plt.figure(figsize=(5.5, 3.2)).add_subplot()
ax.plot(ts, gaps, label=f"chord_gap ({gap.used})")
ax.axhline(0, color="0.4", lw=0.8)
ax.set(xlabel="t", ylabel="chord minus graph", title="The double well's chord gap is negative near t = 1/2")
ax.legend(fontsize="small");

# %% [markdown]
# ### 1.1 The tangent lies below the graph
#
# For a differentiable $f$ there is a third test, the one most proofs use: $f$ is convex iff every
# tangent lies below the graph, $f(y) \ge f(x) + \nabla f(x)^\top (y - x)$ for all $x, y$ (claim C26).
# Two quantitative versions bound $f$ between two quadratics that touch it at $x$: $f$ is
# **$\mu$-strongly convex** when $f(y) \ge f(x) + \nabla f(x)^\top(y-x) + \frac{\mu}{2}\lVert y-x\rVert^2$, and
# **$L$-smooth** when $f(y) \le f(x) + \nabla f(x)^\top(y-x) + \frac{L}{2}\lVert y-x\rVert^2$; for a twice
# differentiable $f$, that is $\mu I \preceq \nabla^2 f \preceq LI$, and $\kappa = L/\mu$ is chapter 1's
# condition number. The 1-D regularized logistic loss $f(w) = \log(1+e^{-w}) + \frac{\mu}{2} w^2$ has
# $f'' = \sigma(w)\sigma(-w) + \mu \in [\mu, \frac14 + \mu]$; with $\mu = 0.1$ it sits between the two quadratics
# at every point, while the double well's tangent cuts through its graph:

# %%
mu_s = 0.1
logloss = lambda w: np.logaddexp(0.0, -w) + mu_s / 2 * w ** 2
logloss_grad = lambda w: -1.0 / (1.0 + np.exp(w)) + mu_s * w
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
cplots.sandwich(logloss, logloss_grad, 1.0, mu=mu_s, L=0.25 + mu_s, window=(-6, 6), ax=a1,
                title="Logistic + (0.1/2) w^2: between its mu- and L-quadratics")
well_1d = lambda w: w ** 4 / 4 - w ** 2 / 2
cplots.sandwich(well_1d, lambda w: w ** 3 - w, 0.3, mu=None, L=None, window=(-1.6, 1.6), ax=a2,
                title="Double well: the tangent at 0.3 crosses the graph")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
w_grid, w_points = np.linspace(-6, 6, 1201), np.linspace(-5, 5, 41)
gap_low = min(np.min(logloss(w_grid) - logloss(x) - logloss_grad(x) * (w_grid - x) - mu_s / 2 * (w_grid - x) ** 2)
              for x in w_points)
gap_up = min(np.min(logloss(x) + logloss_grad(x) * (w_grid - x) + (0.25 + mu_s) / 2 * (w_grid - x) ** 2 - logloss(w_grid))
             for x in w_points)
tangent_gap = np.min(well_1d(w_grid) - well_1d(0.3) - (0.3 ** 3 - 0.3) * (w_grid - 0.3))
print(f"logistic, 41 touching points x 1201 points y: min of f - lower quadratic {gap_low:.1e}, "
      f"min of upper quadratic - f {gap_up:.1e}; both >= 0 up to rounding: {min(gap_low, gap_up) >= -1e-14}")
print(f"double well, tangent at 0.3: min of f - tangent {tangent_gap:.3f} (< 0: the graph dips below it)")

# %% [markdown]
# ## 2. Operations that keep convexity
#
# Sums of convex functions are convex, and so are positive multiples (claim C27): add the chord
# inequalities, or multiply one by $a > 0$. So are a maximum of convex functions and a convex
# function of an affine map $f(Ax + b)$. A *difference* of convex functions, however, need not be.
# A regularized loss such as ridge or Lasso is convex because each of its terms is.

# %%
# NBVAL_CHECK_OUTPUT
q1, q2 = functions.Quadratic([1.0, 5.0], angle=0.3), functions.Quadratic([2.0, 0.5], angle=1.2)
lse2 = lambda x: np.logaddexp(x[..., 0], 2 * x[..., 1])
combos = {"q1 + q2": lambda x: q1.value(x) + q2.value(x),
          "3.5 q1 + 0.2 lse": lambda x: 3.5 * q1.value(x) + 0.2 * lse2(x),
          "lse + |x|_1": lambda x: lse2(x) + np.abs(x).sum(-1),
          "max(q1, lse)": lambda x: np.maximum(q1.value(x), lse2(x)),
          "q1 - 2 q2": lambda x: q1.value(x) - 2 * q2.value(x)}
for name, f in combos.items():
    print(f"{name:<18} violation found: {convex.find_violation(f, [-3, -3], [3, 3]) is not None}")

# %% [markdown]
# **Question.** `q1 - 2 q2` is a difference of two convex quadratics. Which condition on the
# eigenvalues of $A_1 - 2A_2$ would have made it convex anyway?
#
# ## 3. Regularization as convexification
#
# Adding $\frac{\lambda}{2}\lVert x\rVert^2$ adds $\lambda I$ to the Hessian, shifting every
# eigenvalue up by $\lambda$. On a region where the smallest Hessian eigenvalue of $f$ is
# $\lambda_{\min} < 0$, the regularized function is convex there as soon as
# $\lambda \ge -\lambda_{\min}$ (claim C28). We find that threshold for Himmelblau's function on the
# box $[-1.5, 1.5]^2$ and watch the chord checker change its verdict.

# %%
# NBVAL_CHECK_OUTPUT
low, high = [-1.5, -1.5], [1.5, 1.5]
lam_min, where = convex.min_hessian_eigenvalue(him.hessian, low, high, resolution=121)
threshold = -lam_min
print(f"smallest Hessian eigenvalue on the box: {lam_min:.3f} at {np.round(where, 3)}; threshold lam* = {threshold:.3f}")
for factor in [0.0, 0.5, 0.9, 0.98, 1.02, 1.5]:
    f_reg = convex.regularized(him.value, factor * threshold)
    found = convex.find_violation(f_reg, low, high, samples=50_000)
    print(f"lam = {factor:4.2f} lam* = {factor * threshold:7.3f}: violation found = {found is not None}")

# %% [markdown]
# Just below the threshold the checker still finds a chord that the graph rises above; just above
# it, none among 50,000. The penalty has a price: it moves the minimizer towards 0, so the
# convexified problem is a different problem. The contour maps on the box before and after:

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, lam in zip(axes, [0.0, 1.02 * threshold]):
    plots.contour(convex.regularized(him.value, lam), ax=ax, window=((-1.5, 1.5), (-1.5, 1.5)),
                  mark_minimizers=False, log_levels=False)
    ax.set_title("Himmelblau on the box: not convex (a maximum inside)" if lam == 0 else
                 f"Himmelblau + (lam/2)|x|^2 with lam = {lam:.1f}: convex on the box", fontsize=10)
fig.tight_layout()

# %% [markdown]
# ## 4. For convex functions, local minima are global
#
# If $x$ were a local minimum of a convex $f$ and some $y$ had $f(y) < f(x)$, the chord from $x$ to
# $y$ would give points arbitrarily close to $x$ with values below $f(x)$: a contradiction. So every
# local minimum is global, and a strictly convex function has one (claim C29). In practice: start
# anywhere. Twenty random starts of gradient descent on L2-regularized logistic regression (convex),
# and forty on Himmelblau's function (not convex):

# %%
rng = np.random.default_rng(0)
logistic = compare.LogisticProblem(6, mu=0.05)
ends = [compare.gradient_descent(logistic.value_and_grad, rng.normal(size=6) * 5, 1 / logistic.L,
                                 steps=20_000, tol=1e-9)[0] for _ in range(20)]
values = np.array([logistic.value_and_grad(w)[0] for w in ends])
print(f"logistic regression, 20 starts: final losses span {np.ptp(values):.1e}, "
      f"largest spread of a coordinate {np.max(np.std(ends, axis=0)):.1e}")
starts = rng.uniform(-5, 5, size=(40, 2))
him_runs = minimize(him, starts, "sgd", 3000, lr=0.01)          # 40 runs of GD at once
him_ends = him_runs.final
found = sorted({tuple(np.round(e, 3).tolist()) for e in him_ends})
print(f"Himmelblau, 40 starts: {len(found)} different end points {found}, "
      f"largest final value {np.max(him_runs.final_loss):.1e}")

# %%
ax = plots.contour(him)
for s, e in zip(starts, him_ends):
    ax.annotate("", xy=e, xytext=s, arrowprops=dict(arrowstyle="->", color="0.3", lw=0.6))
ax.set_title("Himmelblau: where each of 40 starts ends depends on where it starts", fontsize=10);

# %% [markdown]
# Himmelblau's four minima all have the value 0, so here "local" costs nothing in value; but the
# starting point decides *which* one you get, while on the convex problem every start gives the
# same weights (to $7\cdot10^{-9}$, as the $10^{-9}$ gradient tolerance allows with $\mu = 0.05$).
# On a non-convex function with unequal minima, the loss you end with depends on where you start.
# Rastrigin's function (a bowl covered with bumps; $f^* = 0$ at the origin, a local minimum near
# every integer point) shows it, with forty random starts in $[-4.5, 4.5]^2$:

# %%
rastrigin = functions.MultiModal()                      # L = 2 + 40 pi^2 ~ 397, so lr = 1e-3 < 2/L
ras_starts = np.random.default_rng(1).uniform(-4.5, 4.5, size=(40, 2))
ras_runs = minimize(rastrigin, ras_starts, "sgd", 2000, lr=1e-3)
levels = np.unique(np.round(ras_runs.final_loss, 2))
print(f"Rastrigin, 40 starts: {len(levels)} different final losses, from {levels.min():.2f} "
      f"to {levels.max():.2f}; none reaches f* = 0")

# %% [markdown]
# Each run stops in the local minimum of its start's basin; the loss it ends with is set by where
# it started, not by how long it ran.
#
# **Question.** Logistic regression without the L2 term is convex but not strictly convex on
# separable data. What happens to the 20 runs then, and to the weights' norm?
#
# ## 5. Newton's method
#
# Gradient descent uses a linear model of $f$; Newton's method minimizes the quadratic model
#
# $$f(x_k + p) \approx f(x_k) + \nabla f(x_k)^\top p + \tfrac12 p^\top \nabla^2 f(x_k)\, p
# \quad\Longrightarrow\quad \nabla^2 f(x_k)\, p_k = -\nabla f(x_k), \qquad x_{k+1} = x_k + p_k .$$
#
# On a quadratic the model is exact, so one step lands on the minimizer; near a minimizer with a
# positive definite Hessian the error is squared at every step, $\lVert e_{k+1}\rVert \le C\lVert e_k\rVert^2$:
# the number of correct digits roughly doubles (claim C30). The step *solves* the linear system; it
# never forms the inverse, which costs more and loses accuracy. The core of `convex.newton_step`:

# %%
print(inspect.getsource(convex.newton_step).split('"""')[2].strip())

# %%
A = np.array([[3.0, 1.0], [1.0, 2.0]])
b = np.array([1.0, -1.0])
quad = lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b, A)
one = convex.newton(quad, np.array([5.0, 5.0]), line_search=False)
print(f"steps: {one.steps}, x = {one.final}, solve(A, b) = {np.linalg.solve(A, b)}")

# %% [markdown]
# Now a problem that is not quadratic: L2-regularized logistic regression with 10 weights
# ($\mu = 10^{-3}$), from $w = 0$. The error $e_k = \lVert w_k - w^\star\rVert$ is measured against
# scipy's `trust-exact` solution. Two columns read the convergence: $\log e_{k+1} / \log e_k$ tends to 2
# when the digits double, and $e_{k+1}/e_k^2$ stays bounded, near a constant $C$, when the convergence is
# quadratic ($e_{k+1} \le C e_k^2$).

# %%
problem = compare.LogisticProblem(10, mu=1e-3, seed=1)
run = convex.newton(problem.fgh, np.zeros(10), tol=1e-14)
w_star = scipy.optimize.minimize(problem.value_and_grad, np.zeros(10), jac=True, method="trust-exact",
                                 hess=lambda w: problem.fgh(w)[2], options={"gtol": 1e-14}).x
errors = np.linalg.norm(run.iterates - w_star, axis=1)
print(f"{'k':>2} {'step t_k':>8} {'error e_k':>10} {'|grad|':>10} {'e_k+1 / e_k':>12} {'e_k+1 / e_k^2':>14} "
      f"{'log e_k+1 / log e_k':>20}")
for k, e in enumerate(errors):
    nxt = k + 1 < len(errors)
    ratio = f"{np.log(errors[k + 1]) / np.log(e):.2f}" if nxt and e < 1 else "-"
    t_k = f"{run.lrs[k]:.3g}" if k < len(run.lrs) else "-"
    lin = f"{errors[k + 1] / e:.3g}" if nxt else "-"
    quad = f"{errors[k + 1] / e ** 2:.3g}" if nxt else "-"
    print(f"{k:>2} {t_k:>8} {e:>10.2e} {run.grad_norms[k]:>10.2e} {lin:>12} {quad:>14} {ratio:>20}")

# %% [markdown]
# The line search (section 5.2) accepted the full step $t_k = 1$ every time. The run has the **two
# phases** of Newton's method (Boyd & Vandenberghe, 9.5.3). In the first, far from $w^\star$, the error
# shrinks slowly, by the factors 0.83, 0.81, 0.71, 0.52 in the first four steps: the quadratic model is
# poor there (with a line search this is the *damped* phase, where $t_k < 1$ can occur). In the second,
# the **quadratically convergent** phase, the exponent doubles: $e_k$ goes from about $0.5$ to
# $3\cdot10^{-2}$, $10^{-4}$, $4\cdot10^{-9}$ and $10^{-13}$ in four steps. The column $e_{k+1}/e_k^2$ shows
# what separates them: it stays between 0.09 and 0.13 over the first seven steps and is 0.28 at the
# eighth, so it stays bounded through both phases, $e_{k+1} \le C e_k^2$ with $C$ at most about 0.3, but
# that bound only helps once $C e_k < 1$, and it is fast once $C e_k \ll 1$. Its last value, about
# $10^4$, and the last $\log$ ratio, 1.5, are not Newton's: at $e_8 \approx 4\cdot10^{-9}$ the next error,
# $10^{-13}$, is at the accuracy of $w^\star$ itself (scipy stops at $\lVert\nabla f\rVert \le 10^{-14}$),
# where the count of digits ends; the first $\log$ ratio, 5.9, only says that $\log e_5$ is close to 0.
#
# **Affine invariance.** Newton's step does not care how the variables are scaled or mixed. Substitute
# $w = My$ for an invertible $M$: $g(y) = f(My)$ has gradient $M^\top\nabla f$ and Hessian
# $M^\top\nabla^2 f\, M$, so its Newton step is $M^{-1}$ times $f$'s, and the iterates satisfy
# $My_k = w_k$ exactly. Gradient descent has no such property: its step $-\eta M^\top\nabla f$ in $y$ is
# $-\eta MM^\top\nabla f$ in $w$, another direction, with another condition number. A random $M$
# (condition number about 6) on the same logistic problem:

# %%
# NBVAL_CHECK_OUTPUT
M_aff = np.random.default_rng(0).normal(size=(10, 10)) + 3 * np.eye(10)
def mixed(y):
    f, g, H = problem.fgh(M_aff @ y)
    return f, M_aff.T @ g, M_aff.T @ H @ M_aff

run_mixed = convex.newton(mixed, np.zeros(10), tol=1e-14)
print(f"cond(M) = {np.linalg.cond(M_aff):.1f}; Newton steps: {run.steps} on f, {run_mixed.steps} on f(My); "
      f"max |M y_k - w_k| = {np.max(np.abs(run_mixed.iterates @ M_aff.T - run.iterates)):.1e}")
for name, fun, n_M in [("f(w)", problem.value_and_grad, 1.0), ("f(My)", lambda y: mixed(y)[:2], np.linalg.norm(M_aff, 2))]:
    gd_run = minimize(fun, np.zeros(10), "sgd", 2000, lr=1 / (problem.L * n_M ** 2))
    print(f"GD (lr = 1/L) on {name:<6}: |grad| after 2000 steps {gd_run.grad_norms[-1]:.1e}")

# %% [markdown]
# Newton takes the same 9 steps on both, and $My_k$ equals $w_k$ to rounding ($7\cdot10^{-15}$): the
# substitution changes nothing it does. Gradient descent, with $\eta = 1/L$ for each problem's own
# smoothness constant, reaches a gradient norm of $1.4\cdot10^{-7}$ on $f$ in 2000 steps but only
# $1.2\cdot10^{-2}$ on $f(My)$: the mixing changed the conditioning that GD's rate depends on.
#
# ### Exercise 2 · `newton_step(hess, grad)`
#
# Return the Newton direction $p$ with $H p = -\nabla f$, using `np.linalg.solve`. The arguments come
# in the equation's order, as in the library's `convex.newton_step(H, g)`. The grader also
# tries a Hessian with condition number $10^{10}$, where the inverse loses digits that `solve` keeps.

# %%
check("ch3.newton_step")

# %%
step_fn = yours_or_reference("ch3.newton_step", lambda H, g: np.linalg.solve(H, -g))
w = np.zeros(10)
for k in range(8):
    f, g, H = problem.fgh(w)
    w = w + step_fn(H, g)                      # pure Newton, t = 1 (the line search above always took t = 1 here)
    print(f"step {k + 1}: |grad| = {np.linalg.norm(problem.fgh(w)[1]):.2e}  ({step_fn.used})")

# %% [markdown]
# ### 5.1 Conditioning: how reliable is the Newton step?
#
# The step solves $H p = -g$. If $g$ carries a small relative error $\delta$ (noise, rounding, a
# mini-batch), the step's relative error can be up to $\kappa(H)\,\delta$ with $\kappa = \lambda_{\max}/\lambda_{\min}$
# (claim C31). The worst case is a step that points along a stiff direction (large eigenvalue, so a
# short step) while the error in $g$ has a component along a soft one, which $H^{-1}$ magnifies by
# $1/\lambda_{\min}$. We measure it: gradient errors of relative size $10^{-8}$ in random
# directions, 20 draws per $\kappa$.

# %%
rng = np.random.default_rng(2)
kappas, median_amp = np.geomspace(10, 1e8, 8), []
for kappa in kappas:
    Q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(6, 6)))
    H = (Q * np.geomspace(1, kappa, 6)) @ Q.T
    g = H @ Q[:, -1]                                   # the exact step is -Q[:, -1]: stiff direction
    p = convex.newton_step(H, g)
    amp = []
    for _ in range(20):
        dg = rng.normal(size=6)
        dg *= 1e-8 * np.linalg.norm(g) / np.linalg.norm(dg)
        amp.append(np.linalg.norm(convex.newton_step(H, g + dg) - p) / np.linalg.norm(p) / 1e-8)
    median_amp.append(np.median(amp))
cplots.rates({"measured: median (step error) / (gradient error)": (kappas, np.array(median_amp))},
             {"bound: kappa": (kappas, kappas)}, xlabel="condition number kappa of H",
             ylabel="relative error amplification", title="The step's error grows in proportion to kappa")
below = kappas / np.array(median_amp)
print(f"the line kappa over the measured median: {below.min():.1f} to {below.max():.1f} times; at kappa = 1e8 "
      f"a gradient error of 1e-8 gives a step error of {median_amp[-1] * 1e-8:.2f} (relative)")

# %% [markdown]
# The measured amplification grows in proportion to $\kappa$ and stays between 2 and 5 times
# below the line $\kappa$ (a random error direction has only part of its length along the softest
# eigenvector). With $\kappa = 10^8$ a
# gradient correct to 8 digits gives a step with hardly a correct digit (a relative error near 0.4).
#
# ### 5.2 Line search: damped Newton
#
# Far from a minimizer, or where the Hessian is not positive definite, the full step can go uphill.
# Damped Newton takes $x_{k+1} = x_k + t_k p_k$ with $t_k$ from **backtracking**: start at
# $t = 1$ and halve until the Armijo condition
#
# $$f(x_k + t p_k) \le f(x_k) + c\, t\, \nabla f(x_k)^\top p_k, \qquad c = 10^{-4},$$
#
# holds (a decrease at least a fraction $c$ of what the linear model promises). Where the Hessian is
# not positive definite, `convex.newton` solves with $H + \tau I$ instead, which makes $p$ a descent
# direction. On Rosenbrock from the classic start $(-1.2, 1)$:

# %%
rosen = functions.Rosenbrock()
damped = convex.newton(rosen, np.array([-1.2, 1.0]), steps=100)
pure = convex.newton(rosen, np.array([-1.2, 1.0]), steps=100, line_search=False)
gd = minimize(rosen, np.array([-1.2, 1.0]), "sgd", 5000, lr=1e-3)
for name, r in [("damped Newton", damped), ("pure Newton", pure), ("GD, lr = 1e-3", gd)]:
    print(f"{name:<14} steps {r.steps:>5}  f = {r.losses[-1]:.2e}  |x - (1, 1)| = {np.linalg.norm(r.final - 1):.1e}  "
          f"loss ever rose: {bool(np.any(np.diff(r.losses) > 0))}")

# %%
ax = plots.contour(rosen, {"damped Newton": damped, "pure Newton": pure, "GD (first 200 steps)": gd.iterates[:200]})
ax.set_title("Rosenbrock: damped Newton descends at every step", fontsize=10);

# %% [markdown]
# Here pure Newton happens to arrive in fewer steps than damped Newton, but its loss goes up on
# the way: nothing guarantees that the full step helps far from the minimum. The damped version never
# increases $f$; gradient descent, with a learning rate small enough for the valley's steep walls, is
# still far away after 5,000 steps.
#
# Rosenbrock is a forgiving test, though: its only stationary point is the minimum, so pure Newton
# has nowhere else to stop. Pure Newton solves $\nabla f = 0$, and it does not care which kind of
# stationary point it finds. Himmelblau's function has nine (four minima, four saddles, one maximum);
# 300 random starts in $[-5, 5]^2$, 100 pure and 100 damped Newton steps each, every end point
# classified by the signs of its Hessian's eigenvalues:

# %%
# NBVAL_CHECK_OUTPUT
newton_starts = np.random.default_rng(5).uniform(-5, 5, size=(300, 2))
for name, search in [("pure Newton", False), ("damped Newton", True)]:
    kinds = [convex.stationary_kind(him, convex.newton(him, x, steps=100, line_search=search).final)
             for x in newton_starts]
    print(f"{name:<14} " + ", ".join(f"{k}: {kinds.count(k)}" for k in ["minimum", "saddle", "maximum", "not stationary"]))

# %% [markdown]
# Pure Newton ends at a saddle or at the maximum from a large share of the starts: near such a point the
# quadratic model is a saddle or a cap, and the step jumps to its stationary point. Damped Newton
# (which shifts an indefinite Hessian to $H + \tau I$ and backtracks) only goes downhill, so it can
# stop at a saddle only by landing on one exactly, which random starts do not.
#
# ### Exercise 3 · `backtracking(f, x, direction, grad, lr=1.0, shrink=0.5, c=1e-4, max_shrinks=60)`
#
# Return the first $t = \text{lr}\cdot\text{shrink}^j$ that satisfies the Armijo condition. Mind the
# sign: $\nabla f^\top d < 0$, so the right-hand side lies *below* $f(x)$. Shrink at most `max_shrinks`
# times and then return the last $t$ (as `convex.backtracking` does): a loop without that bound need not
# end. A direction with $\nabla f^\top d \ge 0$ is not a descent direction and has no Armijo step:
# raise `ValueError`. `x`, `direction` and `grad` are float arrays of one shape $(d,)$.

# %%
check("ch3.backtracking")

# %%
armijo = yours_or_reference("ch3.backtracking", lambda f, x, d, g, lr=1.0, shrink=0.5, c=1e-4:
                            convex.backtracking(f, x, d, g, lr=lr, shrink=shrink, c=c))
x = np.array([-1.2, 1.0])
for k in range(6):
    g = rosen.grad(x)
    t = armijo(rosen.value, x, -g, g, lr=1.0)
    x = x - t * g
    print(f"GD step {k + 1} with backtracking: t = {t:.2e}, f = {rosen.value(x):.4f}  ({armijo.used})")

# %% [markdown]
# ## 6. First- against second-order: what a step costs as $d$ grows
#
# Newton needs few steps, but each one forms a $d\times d$ Hessian ($O(d^2)$ memory, $O(nd^2)$ time
# here) and factors it ($O(d^3)$). A gradient costs $O(nd)$. L-BFGS (scipy) sits in between: it
# builds a curvature model from the last few gradients at $O(d)$ extra cost per step. We time all
# three to $\lVert\nabla f\rVert \le 10^{-6}$ on regularized logistic regression with $n = 4d$
# examples, for growing $d$, on one core (BLAS limited to one thread, best of seven runs)
# (claim C32). The data are drawn so that the conditioning does not change with $d$ (the
# spectrum of $X^\top X/n$ depends only on $d/n$): only the cost per step changes, so the comparison
# is not confounded by a problem that gets easier or harder.

# %%
dims = [16, 32, 64, 128, 256]
cost = compare.time_to_tolerance(dims, tol=1e-6, mu=1e-2, repeats=7, blas_threads=1)
slopes = {m: compare.fitted_exponent(dims, r["seconds"], min_dim=64) for m, r in cost.items()}
print(f"{'d':>5} " + " ".join(f"{m + ' steps':>13} {m + ' ms':>11}" for m in cost)
      + f" {'Newton/GD':>10} {'Newton/L-BFGS':>14}")
for i, d in enumerate(dims):
    print(f"{d:>5} " + " ".join(f"{r['steps'][i]:>13} {1000 * r['seconds'][i]:>11.2f}" for r in cost.values())
          + "".join(f" {cost['Newton']['seconds'][i] / cost[m]['seconds'][i]:>{w}.2f}" for m, w in [("GD", 10), ("L-BFGS", 14)]))
print("fitted exponent of time ~ d^p over d = 64..256: " + ", ".join(f"{m} {p:.2f}" for m, p in slopes.items()))
for other in ["GD", "L-BFGS"]:
    ratio = np.array(cost["Newton"]["seconds"]) / np.array(cost[other]["seconds"])
    d_cross = compare.crossover(dims, cost["Newton"]["seconds"], cost[other]["seconds"])
    print(f"Newton slower than {other}: " + ("at every d measured" if np.all(ratio > 1) else
          f"from d = {d_cross:.0f} (interpolated)" if d_cross else
          "at no d measured" if np.all(ratio < 1) else "at some d, not from one d on"))
cplots.cost_vs_dimension(dims, cost, guides=(2, 3), exponents=slopes);

# %% [markdown]
# Read the two panels apart, because they are different kinds of evidence. The step counts (left) are
# arithmetic and any machine reproduces them: they barely move with $d$ (the conditioning is fixed),
# Newton needs 5, L-BFGS about 20, GD about 180. The times (right) are measurements of this machine
# at this moment, so the cell prints the ratios and the fitted exponents instead of a verdict. What the
# operation counts predict, for $n = 4d$ examples: a GD or L-BFGS step costs $O(nd) = O(d^2)$ (a few
# matrix-vector products with the $n \times d$ data), a Newton step $O(nd^2 + d^3) = O(d^3)$ (form the
# Hessian, factor it), so the guides have slopes 2 and 3. At these small sizes fixed costs (Python,
# allocation), caches and whatever else the machine is doing move the fitted exponents away from their
# operation counts, in either direction and by amounts that change from run to run, so compare each
# exponent with its guide and do not read an order into close ones. The
# printed status lines say honestly where Newton is slower: "at every d measured" when it never wins.
# What no rerun changes is the direction: a $d^3$ term grows past any $d^2$ one, and a network with
# $10^6$ weights could not even store its Hessian ($8$ TB in float64). That is why deep learning runs on
# first-order methods, and why the second-order ideas that survive there (L-BFGS, CG below, diagonal
# preconditioners such as Adam's) never form the Hessian.
#
# ## 7. Conjugate gradient
#
# To solve $Ax = b$ with $A$ symmetric positive definite, minimize $q(x) = \frac12 x^\top A x - b^\top x$,
# whose gradient is $Ax - b = -r$ (the residual). Conjugate gradient moves along directions that are
# **$A$-conjugate** ($p_i^\top A p_j = 0$), each new one built from the residual and the previous
# direction, with an exact line search:
#
# $$\alpha_k = \frac{r_k^\top r_k}{p_k^\top A p_k},\quad x_{k+1} = x_k + \alpha_k p_k,\quad
# r_{k+1} = r_k - \alpha_k A p_k,\quad \beta_k = \frac{r_{k+1}^\top r_{k+1}}{r_k^\top r_k},\quad
# p_{k+1} = r_{k+1} + \beta_k p_k .$$
#
# It needs only products $v \mapsto Av$ (never $A$ itself), stops in at most $d$ steps in exact
# arithmetic, in fact within as many steps as $A$ has distinct eigenvalues, and its error obeys
# $\lVert e_k\rVert_A \le 2\left(\frac{\sqrt\kappa-1}{\sqrt\kappa+1}\right)^k \lVert e_0\rVert_A$
# (claim C33): $\sqrt\kappa$ where gradient descent has $\kappa$.

# %%
print(inspect.getsource(convex.conjugate_gradient).split('"""')[2].strip())

# %%
rng = np.random.default_rng(4)
d = 200
Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
spectra = {"spread: 200 eigenvalues in [1, 1000]": np.geomspace(1, 1e3, d),
           "clustered: 5 values, 40 copies each": np.repeat([1.0, 3.0, 10.0, 30.0, 100.0], 40)}
x_true = rng.normal(size=d)
cg_runs = {}
for name, lam in spectra.items():
    A = (Q * lam) @ Q.T
    cg_runs[name] = (A, convex.conjugate_gradient(A, A @ x_true, tol=1e-12))
    ref, info = scipy.sparse.linalg.cg(A, A @ x_true, rtol=1e-12, atol=0.0)
    print(f"{name}: {cg_runs[name][1].steps} steps (d = {d}); "
          f"max |x - scipy cg| = {np.max(np.abs(cg_runs[name][1].final - ref)):.1e}")

# %%
A, run = cg_runs["spread: 200 eigenvalues in [1, 1000]"]
e = run.iterates - x_true
a_err = np.sqrt(np.einsum("ki,ij,kj->k", e, A, e))
k = np.arange(len(a_err))
A2, run2 = cg_runs["clustered: 5 values, 40 copies each"]
e2 = run2.iterates - x_true
a_err2 = np.sqrt(np.einsum("ki,ij,kj->k", e2, A2, e2))
ax = cplots.rates({"CG, spread spectrum ($\\kappa = 1000$)": (k, a_err / a_err[0]),
              "CG, 5 clusters ($\\kappa = 100$)": (np.arange(len(a_err2)), a_err2 / a_err2[0])},
             {"CG bound $2((\\sqrt{\\kappa}-1)/(\\sqrt{\\kappa}+1))^k$ ($\\kappa = 1000$)": (k, convex.cg_bound(1e3, k[-1])),
              "best-step GD rate ($\\kappa = 1000$)": (k, ((1e3 - 1) / (1e3 + 1)) ** k)},
             loglog=False, ylabel="A-norm error, relative", title="CG beats its bound; clusters finish in 5 steps")
ax.legend(fontsize="small", loc="lower center")
gd_steps = np.log(1e-12) / np.log((1e3 - 1) / (1e3 + 1))
print(f"spread spectrum: CG {run.steps} steps; best-step GD by its rate {gd_steps:,.0f} steps "
      f"({gd_steps / run.steps:.0f} times more)")

# %% [markdown]
# The bound holds at every step and is pessimistic: CG adapts to the actual spectrum. With five
# distinct eigenvalues the error collapses at step 5, and the run stops one step later, when rounding
# noise is pushed below the $10^{-12}$ tolerance; $d$ does not matter. The spread spectrum shows the
# other side of floating point: the directions lose their exact conjugacy, and CG took more than
# $d = 200$ steps (the exact-arithmetic limit) to reach $10^{-12}$. That is still about fifty
# times fewer than gradient descent with its best fixed step would need by its rate (the light grey line),
# about $\frac{\kappa}{2} \ln(10^{12}) \approx 14{,}000$ steps.
#
# **CG is a momentum method.** Since $p_{k-1} = (x_k - x_{k-1})/\alpha_{k-1}$ and $r_k = -\nabla q(x_k)$,
# the update rewrites as heavy ball with coefficients that change at every step:
#
# $$x_{k+1} = x_k - \alpha_k \nabla q(x_k) + m_k (x_k - x_{k-1}), \qquad m_k = \frac{\alpha_k \beta_{k-1}}{\alpha_{k-1}}.$$
#
# `convex.as_momentum` reads $(\alpha_k, m_k)$ off a CG run; running the plain momentum recurrence
# with them reproduces CG's iterates (claim C33). A system with eigenvalues spread evenly over
# $[1, 100]$:

# %%
A_m = (Q * np.linspace(1, 100, d)) @ Q.T
run_m = convex.conjugate_gradient(A_m, A_m @ x_true, tol=1e-12)
lrs, momenta = convex.as_momentum(run_m)
heavy = convex.momentum_iterates(A_m, A_m @ x_true, np.zeros(d), lrs, momenta)
print(f"max |momentum iterate - CG iterate| over {run_m.steps} steps: {np.max(np.abs(heavy - run_m.iterates)):.1e}")
print(f"step sizes alpha_k range over [{lrs.min():.2e}, {lrs.max():.2e}], momenta m_k over "
      f"[{momenta[1:].min():.3f}, {momenta[1:].max():.3f}]")
lrs_s, mom_s = convex.as_momentum(run)                 # the spread spectrum, kappa = 1000
drift = np.max(np.abs(convex.momentum_iterates(A, A @ x_true, np.zeros(d), lrs_s, mom_s) - run.iterates), axis=1)
print(f"kappa = 1000: the two forms agree to {drift[:30].max():.0e} for 30 steps, then drift apart "
      f"(max {drift.max():.0e}): the same recurrence in exact arithmetic, different rounding")

# %% [markdown]
# Heavy ball with *fixed* coefficients can only be tuned for the extreme eigenvalues; CG picks the
# best coefficients for this spectrum at every step, from two inner products.
#
# ### Exercise 4 · `conjugate_gradient(A, b, tol=1e-10, max_steps=None)`
#
# Implement the recurrence above from $x_0 = 0$; return the solution and the list of residual norms
# $\lVert r_k\rVert$ (one per iterate). Without `max_steps`, stop after $10d$ steps, as
# `convex.conjugate_gradient` does (in floating point CG can need more than $d$). Updating the residual with $r \leftarrow r - \alpha A p$ is the
# step most often forgotten.

# %%
check("ch3.conjugate_gradient")

# %%
def reference_cg(A, b, tol=1e-10, max_steps=None):
    r = convex.conjugate_gradient(A, b, tol=tol, max_steps=max_steps)      # default 10 d, as the exercise's
    return r.final, list(r.grad_norms)

your_cg = yours_or_reference("ch3.conjugate_gradient", reference_cg)
A2 = cg_runs["clustered: 5 values, 40 copies each"][0]
x_cg, norms = your_cg(A2, A2 @ x_true, tol=1e-12, max_steps=200)
ax = plt.figure(figsize=(5.5, 3.4)).add_subplot()
ax.semilogy(np.arange(len(norms)), norms, "o-", label=f"conjugate_gradient ({your_cg.used})")
ax.set(xlabel="step k", ylabel="residual norm |r_k|", title="Five clusters of eigenvalues: five steps, one more for rounding")
ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
ax.legend(fontsize="small");

# %% [markdown]
# ## 8. Explorer: four methods on one quadratic
#
# A 2-D quadratic with eigenvalues $(1, \kappa)$, rotated by an angle. Gradient descent with
# $\eta = 1/L$, heavy ball with Polyak's tuned $\eta$ and momentum, Newton, and CG start from the
# same point. Move the sliders: the *rates* of GD and heavy ball depend on $\kappa$ and not on the
# rotation (turning the quadratic only changes how the fixed start sits on its axes, so their paths
# and final values do change); Newton (one step) and CG (two steps, as $d = 2$) depend on neither.
# (In JupyterLab the sliders redraw the figure; a static view shows $\kappa = 30$, angle $30°$.)
#
# Heavy ball is not a descent method. With the tuned parameters its gradient norm first *grows*
# before its faster rate takes over, and the more so the larger $\kappa$; in the 30 steps the explorer
# shows it overtakes GD only for moderate $\kappa$. The numbers, at the explorer's start and angle
# $30°$ (the table runs 3000 steps; "ahead for good" is the first step after which heavy ball's gradient
# norm stays below GD's):

# %%
convex_explorer.explore_conditioning(kappa=30.0, angle=30.0)

# %%
# NBVAL_CHECK_OUTPUT
def hb_against_gd(kappa, steps):
    _, paths = convex_explorer.quadratic_paths(kappa, 30.0, steps=steps)
    return np.asarray(paths["GD (lr = 1/L)"].grad_norms), np.asarray(paths["heavy ball (tuned)"].grad_norms)

print(f"{'kappa':>6} {'peak |grad| / |grad_0|':>23} {'behind GD at step 30':>21} {'ahead for good from step':>25}")
for kappa in [30, 169, 1000]:
    gd_g, hb_g = hb_against_gd(kappa, 3000)
    behind = np.nonzero(hb_g > gd_g)[0]
    print(f"{kappa:>6} {hb_g.max() / hb_g[0]:>23.1f} {str(bool(hb_g[30] > gd_g[30])):>21} "
          f"{behind.max() + 1 if behind.size else 0:>25}")
low, high = 30.0, 169.0                       # behind at step 30: no at 30, yes at 169; bisect
for _ in range(12):
    mid = (low + high) / 2
    gd_g, hb_g = hb_against_gd(mid, 30)
    low, high = (low, mid) if hb_g[30] > gd_g[30] else (mid, high)
print(f"heavy ball is behind GD at step 30 from kappa = {high:.1f} on")

# %% [markdown]
# Heavy ball's gradient norm climbs to 2.1 times its start at $\kappa = 30$, 4.8 times at $\kappa = 169$
# and 11.6 times at $\kappa = 1000$. At $\kappa = 30$ it is ahead of GD for good from step 25; from
# $\kappa \approx 41.7$ on it is still behind GD at step 30, although it wins in the long run: for good from
# step 75 at $\kappa = 169$ and from step 224 at $\kappa = 1000$.

# %% [markdown]
# **Question.** For heavy ball, what happens with the tuned parameters when $\kappa = 1$? Why does
# Newton's one step not depend on the rotation?
#
# ## 9. Hessians from element terms
#
# Many objectives are sums of small terms that each touch a few variables: a chain of springs, a
# finite-element mesh, a graph Laplacian regularizer, a factor graph. The Hessian of
# $f(x) = \sum_e f_e(x_{I_e})$ is then a sum of small **element Hessians**, each added into the rows
# and columns $I_e$ (claim C34), exactly as a finite-element code assembles a stiffness matrix:
#
# $$\nabla^2 f = \sum_e P_e^\top\, \nabla^2 f_e\, P_e, \qquad (\nabla^2 f)_{I_e, I_e} \mathrel{+}= \nabla^2 f_e .$$
#
# Here: $d$ nodes on a line, pinned at both ends, joined by nonlinear springs with energy
# $\phi(u) = u^2/2 + 1.5\,u^4/4$ of the stretch $u = x_{e+1} - x_e$, plus a random load. Each
# spring's element Hessian is $\phi''(u)\begin{pmatrix}1 & -1\\ -1 & 1\end{pmatrix}$.

# %%
print(inspect.getsource(convex.assemble_hessian).split('"""')[2].strip())

# %%
chain = convex.SpringChain(8, stiffening=1.5, seed=6)
x = np.random.default_rng(6).normal(size=8)
H = chain.hessian(x)
fd = np.array([(chain.grad(x + 1e-6 * e) - chain.grad(x - 1e-6 * e)) / 2e-6 for e in np.eye(8)])
print(f"assembled vs finite differences of the gradient: max difference {np.max(np.abs(H - fd)):.1e}")
print(f"nonzeros: {np.count_nonzero(H)} of {H.size} (tridiagonal)")
print(np.round(H[:4, :4], 2))

# %% [markdown]
# Because the assembled Hessian is sparse, Newton's linear solve costs $O(d)$ here instead of
# $O(d^3)$: the assembly keeps the structure that a dense Hessian would throw away. Damped Newton on
# a chain of 20,000 nodes, with the sparse Hessian, `scipy.sparse.linalg.spsolve` and the Armijo
# backtracking of section 5.2:

# %%
big = convex.SpringChain(20_000, stiffening=1.5, seed=7)
x0_chain = np.zeros(20_000)
full_step = x0_chain + scipy.sparse.linalg.spsolve(big.sparse_hessian(x0_chain), -big.grad(x0_chain))
print(f"energy at x = 0: {big.value(x0_chain):.1f}; after one FULL Newton step: {big.value(full_step):.2e}")
start, xk, energies = time.perf_counter(), x0_chain, [big.value(x0_chain)]
for k in range(1, 41):
    g = big.grad(xk)
    p = scipy.sparse.linalg.spsolve(big.sparse_hessian(xk), -g)
    xk = xk + convex.backtracking(big.value, xk, p, g) * p
    energies.append(big.value(xk))
    if np.linalg.norm(big.grad(xk)) < 1e-8:
        break
print(f"damped Newton: {k} steps, |grad| = {np.linalg.norm(big.grad(xk)):.1e}, energy {energies[-1]:.4f}, "
      f"never rose: {bool(np.all(np.diff(energies) <= 0))}, {time.perf_counter() - start:.2f} s")
print(f"a dense Hessian would need {20_000 ** 2 * 8 / 1e9:.1f} GB and its Cholesky factorization "
      f"{20_000 ** 3 / 3:.1e} flops; the sparse one holds {big.sparse_hessian(xk).nnz} numbers")

# %% [markdown]
# Each step assembles 20,001 element Hessians and solves a tridiagonal system; a dense
# (Cholesky) factorization of a $20{,}000\times 20{,}000$ matrix would need the 3.2 GB and about
# $2.7\cdot10^{12}$ floating-point operations ($d^3/3$). Note the first line: the energy is convex, yet one full Newton step from
# $x = 0$ raises it from 0 to about $2\cdot 10^{10}$. The quadratic model at $x = 0$ ignores the
# stiffening $u^4$ term, so it overshoots wildly; convexity guarantees one minimum, not that the full
# step is a good one. Backtracking fixes it.
#
# ## 10. Constraints: projected gradient descent
#
# To minimize $f$ over a convex set $C$, take a gradient step and project back onto $C$:
#
# $$x_{k+1} = P_C\big(x_k - \eta \nabla f(x_k)\big), \qquad P_C(y) = \arg\min_{z\in C} \lVert z - y\rVert .$$
#
# Every iterate is feasible by construction, and with $\eta \le 1/L$ the method converges to the
# constrained minimizer (claim C35). For a box the projection clips each coordinate; for a ball of
# radius $r$ it pulls points outside back along the ray to the center and leaves points inside alone.
# At the solution the **KKT conditions** hold: $\nabla f(x^\star) + \sum_i \nu_i \nabla g_i(x^\star) = 0$,
# $g_i(x^\star) \le 0$, $\nu_i \ge 0$, $\nu_i g_i(x^\star) = 0$ for constraints $g_i(x) \le 0$.

# %%
print(inspect.getsource(convex.project_ball).split('"""')[2].strip())

# %%
bowl = functions.Quadratic([1.0, 6.0], angle=0.5, center=[2.0, 1.5])
fg = lambda z: (bowl.value(z), bowl.grad(z))
sets = {"box [-1, 1]^2": (lambda z: convex.project_box(z, -1.0, 1.0), lambda z, g: convex.kkt_box(z, g, -1.0, 1.0)),
        "unit ball": (lambda z: convex.project_ball(z, 1.0), lambda z, g: convex.kkt_ball(z, g, 1.0))}
constrained = {}
for name, (project, kkt) in sets.items():
    run = convex.projected_gradient(fg, project, np.array([-0.9, -0.5]), lr=1 / 6, steps=200)
    constrained[name] = run
    res = kkt(run.final, bowl.grad(run.final))
    print(f"{name}: x* = {np.round(run.final, 6)}, all iterates feasible: "
          f"{bool(np.all(np.linalg.norm(project(run.iterates) - run.iterates, axis=-1) == 0))}, "
          f"multipliers {np.round(res.multipliers.ravel()[np.abs(res.multipliers.ravel()) > 0], 4)}, KKT residual {res.residual:.1e}")
ref = scipy.optimize.minimize(fg, np.zeros(2), jac=True, method="SLSQP", options={"ftol": 1e-15},
                              constraints=[{"type": "ineq", "fun": lambda z: 1 - z @ z}]).x
print(f"scipy SLSQP on the ball: {np.round(ref, 6)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, (name, run) in zip(axes, constrained.items()):
    plots.contour(bowl, {f"projected GD ({name})": run.iterates[:30]}, ax=ax, window=((-2, 3), (-2, 3)),
                  legend=True)
    shape = (plt.Rectangle((-1, -1), 2, 2, fill=False, lw=2) if "box" in name
             else plt.Circle((0, 0), 1, fill=False, lw=2))
    ax.add_patch(shape)
    ax.set_title(f"Feasible set: {name}; the star is the unconstrained minimum", fontsize=9)
fig.tight_layout()

# %% [markdown]
# On the box the solution is the corner $(1, 1)$: both upper bounds are active and both multipliers
# are positive, because the negative gradient there points out of the box through that corner. On the
# ball the gradient at $x^\star$ is parallel to $x^\star$ and points inward, $\nabla f(x^\star) = -2\nu x^\star$
# with $\nu > 0$. Both KKT residuals are at rounding level, and SLSQP agrees on the ball.
#
# ### Exercise 5 · `project_box(x, low, high)` and `project_ball(x, radius)`
#
# Clip for the box. For the ball (center 0, Euclidean norm): a point inside, $x = 0$ included, is its
# own projection (return a copy); scale only points outside, by radius$/\lVert x\rVert$. `x` is a float
# array of shape $(d,)$; return a new one.

# %%
check("ch3.project_box")

# %%
check("ch3.project_ball")

# %%
proj = yours_or_reference("ch3.project_ball", lambda x, r: convex.project_ball(x, r))
pts = np.random.default_rng(12).normal(size=(300, 2)) * 1.2
out = np.array([proj(p, 1.0) for p in pts])
ax = plt.figure(figsize=(4.2, 4.2)).add_subplot()
ax.plot(pts[:, 0], pts[:, 1], ".", color="0.7", label="points")
ax.plot(out[:, 0], out[:, 1], ".", label=f"projections ({proj.used})")
ax.add_patch(plt.Circle((0, 0), 1, fill=False))
ax.set(aspect="equal", xlabel="$x_1$", ylabel="$x_2$", title="Points inside stay, points outside land on the circle")
ax.title.set_fontsize(9)
ax.legend(fontsize="small", loc="lower left");

# %% [markdown]
# ### Exercise 6 · `projected_gradient_descent(grad_f, project, x0, lr, steps)`
#
# Return all iterates of $x_{k+1} = P(x_k - \eta\nabla f(x_k))$, `x0` first.

# %%
check("ch3.projected_gradient_descent")

# %%
pgd = yours_or_reference("ch3.projected_gradient_descent",
                         lambda gf, P, x0, lr, steps: convex.projected_gradient(lambda z: (0.0, gf(z)), P, x0, lr=lr, steps=steps).iterates)
path = pgd(bowl.grad, lambda z: convex.project_ball(z, 1.0), np.array([-0.9, -0.3]), 1 / 6, 30)
ax = plots.contour(bowl, {f"projected_gradient_descent ({pgd.used})": path}, window=((-2, 3), (-2, 3)))
ax.add_patch(plt.Circle((0, 0), 1, fill=False, lw=2))
ax.legend(fontsize="small", loc="lower right")
ax.set_title("Projected gradient descent on the unit ball: the path ends on the circle", fontsize=10);

# %% [markdown]
# ## 11. The Lasso: proximal gradient, ISTA and FISTA
#
# The Lasso fits a linear model with an L1 penalty,
#
# $$\min_x\; \tfrac12\lVert Ax - b\rVert^2 + \lambda\lVert x\rVert_1 ,$$
#
# which sets many coefficients exactly to zero (feature selection). The penalty is convex but not
# differentiable at 0, so plain gradient descent does not apply. The **proximal gradient** method
# takes a gradient step on the smooth part and then solves the penalty's own small problem exactly:
#
# $$x_{k+1} = \operatorname{prox}_{\eta\lambda\lVert\cdot\rVert_1}\big(x_k - \eta A^\top(Ax_k - b)\big),
# \qquad \operatorname{prox}_{\tau\lVert\cdot\rVert_1}(v)_i = \operatorname{sign}(v_i)\max(\lvert v_i\rvert - \tau, 0).$$
#
# That prox is **soft thresholding**: entries within $\tau$ of zero become exactly zero (claim C36).
# With $\eta = 1/L$, $L = \lVert A\rVert_2^2$, this is ISTA, whose objective gap falls as $O(1/k)$.
# FISTA (Beck and Teboulle, 2009) takes the same proximal step from an *extrapolated* point, a momentum
# step whose coefficient follows a schedule, and gets $O(1/k^2)$; from $t_1 = 1$, $x_0 = x_{-1}$:
#
# $$t_{k+1} = \frac{1+\sqrt{1+4t_k^2}}{2},\qquad y_k = x_k + \frac{t_k - 1}{t_{k+1}}\,(x_k - x_{k-1}),\qquad
# x_{k+1} = \operatorname{prox}_{\eta\lambda\lVert\cdot\rVert_1}\big(y_k - \eta A^\top(Ay_k - b)\big).$$
#
# The momentum coefficient $(t_k-1)/t_{k+1}$ starts at 0 and creeps towards 1 (like $1 - 3/k$); unlike
# chapter 2's fixed $\mu$ it needs no $\mu_{\min}$, and it is the same for every problem (printed below,
# from this recursion).

# %%
print(inspect.getsource(convex.prox_l1).split('"""')[2].strip())
v = np.linspace(-3, 3, 7)
print("v           :", v)
print("prox_l1(v, 1):", convex.prox_l1(v, 1.0))
t_k, coefficients = 1.0, []
for _ in range(8):
    t_next = (1 + np.sqrt(1 + 4 * t_k ** 2)) / 2
    coefficients.append((t_k - 1) / t_next)
    t_k = t_next
print("FISTA's momentum coefficients (t_k - 1)/t_k+1, k = 1..8:", np.round(coefficients, 3))

# %% [markdown]
# ### Exercise 7 · `soft_threshold(x, t)` and `ista_step(x, grad, lr, lam)`
#
# Soft thresholding moves every entry $t$ towards zero and stops at zero: $x_i - t$ for $x_i > t$,
# $x_i + t$ for $x_i < -t$, exactly $0$ in between. One ISTA step is a gradient step followed by
# soft thresholding at $\eta\lambda$.

# %%
check("ch3.soft_threshold")

# %%
check("ch3.ista_step")

# %%
soft = yours_or_reference("ch3.soft_threshold", lambda x, t: convex.prox_l1(x, t))
v = np.linspace(-3, 3, 601)
ax = plt.figure(figsize=(5, 3.4)).add_subplot()
ax.plot(v, soft(v, 1.0), label=f"soft_threshold(v, 1) ({soft.used})")
ax.plot(v, v, ":", color="0.5", label="identity")
ax.set(xlabel="v", ylabel="prox", title="Soft thresholding: a dead zone of width 2t around 0")
ax.legend(fontsize="small");

# %% [markdown]
# ISTA against FISTA on a Lasso with badly scaled columns (column norms spread over a factor 100),
# $\lambda = 0.5$. The reference value $F^\star$ comes from a long FISTA run (to a gradient-mapping
# norm of $10^{-12}$). Log-log axes, with the theory's bounds drawn dashed (Beck and Teboulle 2009,
# from $x_0 = 0$): $F(x_k) - F^\star \le L\lVert x^\star\rVert^2/(2k)$ for ISTA and
# $2L\lVert x^\star\rVert^2/(k+1)^2$ for FISTA.

# %%
rng = np.random.default_rng(0)
A_l = rng.normal(size=(60, 40)) * np.geomspace(1, 1e-2, 40)
b_l = np.random.default_rng(1).normal(size=60)
best = convex.lasso(A_l, b_l, 0.5, steps=20_000, tol=1e-12)
ista = convex.lasso(A_l, b_l, 0.5, method="ista", steps=2000)
fista = convex.lasso(A_l, b_l, 0.5, method="fista", steps=2000)
k = np.arange(1, 2001)
gap_i, gap_f = ista.losses[1:] - best.losses[-1], fista.losses[1:] - best.losses[-1]
L_l, R2 = np.linalg.norm(A_l, 2) ** 2, np.sum(best.final ** 2)
cplots.rates({"ISTA": (k, np.maximum(gap_i, 1e-16)), "FISTA": (k, np.maximum(gap_f, 1e-16))},
             {"ISTA bound $L\\|x^*\\|^2/(2k)$": (k, L_l * R2 / (2 * k)),
              "FISTA bound $2L\\|x^*\\|^2/(k+1)^2$": (k, 2 * L_l * R2 / (k + 1) ** 2)},
             ylabel="objective gap $F(x_k) - F^*$", title="Both gaps stay under their bounds; FISTA's bound falls as 1/k^2")
print(f"after 100 steps: ISTA gap {gap_i[99]:.1e}, FISTA gap {gap_f[99]:.1e}; "
      f"after 2000: ISTA {gap_i[-1]:.1e}, FISTA {gap_f[-1]:.1e} (floored at 1e-16 in the plot)")

# %% [markdown]
# Both gaps stay under their bounds (the test suite checks it at every step up to 1000), and FISTA
# is far ahead: after 100 steps its gap is about $10^{-4}$ while ISTA's is still about $0.3$. The bounds
# are worst cases: once the support of the solution is found, this problem is strongly convex on
# that support and both methods turn linear (ISTA's curve bends down after a few hundred steps).
# FISTA's gap is not monotone, unlike its bound.
#
# **Question.** FISTA's momentum makes its gap oscillate. What would restarting the momentum
# ($t_k \leftarrow 1$) whenever the objective goes up do to the curve?
#
# **A certificate, and when to stop.** The plot above needed $F^\star$, from a much longer run. In
# practice one stops with the **duality gap**, computable at every step without $F^\star$. The Lasso's
# dual is $\max_\theta\, \tfrac12\lVert b\rVert^2 - \tfrac12\lVert b-\theta\rVert^2$ subject to
# $\lVert A^\top\theta\rVert_\infty \le \lambda$, and every feasible $\theta$ gives a lower bound $D(\theta) \le F^\star$.
# From the current residual $r = b - Ax_k$, scaled into the feasible set,
# $\theta_k = r \min(1, \lambda/\lVert A^\top r\rVert_\infty)$, the gap $F(x_k) - D(\theta_k) \ge F(x_k) - F^\star$
# certifies how far $x_k$ is from optimal at most, and it goes to 0 with $x_k$ (`convex.lasso_duality_gap`)
# *(claim C36)*. The FISTA run above, with the gap at every step and a stopping rule "gap $\le 10^{-6}$":

# %%
dual_gaps = np.array([convex.lasso_duality_gap(A_l, b_l, x, 0.5) for x in fista.iterates[1:]])
ax = cplots.rates({"duality gap F(x_k) - D(theta_k) (computable)": (k, np.maximum(dual_gaps, 1e-16)),
                   "true gap F(x_k) - F* (needs F*)": (k, np.maximum(gap_f, 1e-16))}, {},
                  ylabel="gap", title="FISTA: the duality gap bounds the true gap from above at every step")
stop = int(np.argmax(dual_gaps <= 1e-6))
ax.axvline(k[stop], color="0.4", ls=":", lw=1, label=f"stop: duality gap <= 1e-6 (step {k[stop]})")
ax.legend(fontsize="small");

# %%
# NBVAL_CHECK_OUTPUT
print(f"duality gap >= true gap at every step: {bool(np.all(dual_gaps >= gap_f - 1e-12))}; "
      f"stopping rule fires at step {k[stop]}, where the true gap is {gap_f[stop]:.1e}; "
      f"duality gap after 2000 steps {dual_gaps[-1]:.1e}")

# %% [markdown]
# The certificate is safe (never below the true gap, at any of the 2000 steps) but conservative. The
# dual optimum $\theta^\star = b - Ax^\star$ sits on the boundary of the dual's feasible set, where $D$'s
# gradient $b - \theta^\star = Ax^\star$ is not zero; so the dual part of the gap is *first* order in
# $x_k - x^\star$ while $F(x_k) - F^\star$ is second order. When the rule fires, the true gap is already
# far below $10^{-6}$ (the printed value), and since both gaps follow FISTA's oscillations, the duality gap
# can rise again after that step (the printed value at step 2000). A rule that stops at the first step
# with a small certificate is exactly what such a certificate is for.
#
# **The foil: the subgradient method.** Without the prox, the L1 term can only enter through a
# subgradient, $\lambda\,\mathrm{sign}(x)$: $x_{k+1} = x_k - \eta_k\big(A^\top(Ax_k-b) + \lambda\,\mathrm{sign}(x_k)\big)$,
# with diminishing steps $\eta_k = \eta_0/\sqrt{k+1}$ (a fixed step cannot converge: the subgradient does
# not shrink near a kink). Its best gap so far falls only like $O(1/\sqrt k)$, and a coordinate whose
# optimum is 0 is pushed across zero and back instead of landing on it *(claim C36)*. Same Lasso,
# $\eta_0 = 1/L$, 2000 steps (`convex.subgradient_lasso`):

# %%
sub_x, sub_f = convex.subgradient_lasso(A_l, b_l, 0.5, steps=2000, lr0=1 / L_l)
sub_best = np.minimum.accumulate(sub_f)[1:] - best.losses[-1]
ax = cplots.rates({"subgradient: best gap so far": (k, np.maximum(sub_best, 1e-16)),
                   "ISTA": (k, np.maximum(gap_i, 1e-16)), "FISTA": (k, np.maximum(gap_f, 1e-16))},
                  {"$c/\sqrt{k}$ through the subgradient's gap at step 10": (k, sub_best[9] * np.sqrt(10 / k))},
                  ylabel="objective gap $F - F^*$", title="The subgradient method crawls (1/sqrt(k) at best); the prox methods do not")

# %%
# NBVAL_CHECK_OUTPUT
zero_set = best.final == 0
print(f"solution: {int(zero_set.sum())} of {zero_set.size} coefficients exactly 0")
print(f"after 2000 steps: exact zeros ISTA {int(np.sum(ista.final == 0))}, FISTA {int(np.sum(fista.final == 0))}, "
      f"subgradient {int(np.sum(sub_x[-1] == 0))}; the subgradient's largest |x_j| where the solution is 0: "
      f"{np.max(np.abs(sub_x[-1][zero_set])):.1e}")
print(f"best gap: subgradient {sub_best[-1]:.1e}, ISTA {gap_i[-1]:.1e}, FISTA {gap_f[-1]:.1e}; subgradient's gap "
      f"from step 100 to 2000 shrank {sub_best[99] / sub_best[-1]:.1f}x (sqrt(20) = {np.sqrt(20):.1f})")

# %% [markdown]
# The subgradient method leaves not one coefficient exactly at 0, and the 24 coefficients that should be
# 0 still reach $3\cdot10^{-2}$ in size, where ISTA and FISTA both find all 24 zeros exactly. Its best gap
# after 2000 steps is 0.40, against $10^{-8}$ for ISTA and $9\cdot10^{-11}$ for FISTA; from step 100 to 2000 it
# shrank 3.0 times, the $\sqrt{20} = 4.5$ of an $O(1/\sqrt k)$ rate or less. That is what the proximal step
# buys: it solves the nonsmooth part exactly instead of linearizing it.
#
# **The regularization path.** The solution for a decreasing sequence of $\lambda$, from
# $\lambda_{\max} = \lVert A^\top b\rVert_\infty$ (all zeros) down, each run warm-started from the
# previous one. Against scikit-learn's coordinate-descent `Lasso` (which minimizes
# $\frac{1}{2n}\lVert Ax-b\rVert^2 + \alpha\lVert x\rVert_1$, so $\alpha = \lambda/n$):

# %%
try:
    from sklearn.linear_model import Lasso
except ImportError:                      # scikit-learn is only the reference here
    Lasso = None
    print("scikit-learn is not installed: the path is drawn without its reference")
rng = np.random.default_rng(8)
A_p = rng.normal(size=(50, 8))
b_p = A_p @ np.r_[2.0, -3.0, 1.0, 0.5, np.zeros(4)] + 0.3 * rng.normal(size=50)
lams = np.geomspace(convex.lam_max(A_p, b_p), 1e-3 * convex.lam_max(A_p, b_p), 30)
path = convex.lasso_path(A_p, b_p, lams, steps=20_000, tol=1e-12)
print(f"exact zeros: {np.sum(path == 0)} of {path.size} coefficients")
sk = None if Lasso is None else np.array(
    [Lasso(alpha=lam / 50, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(A_p, b_p).coef_ for lam in lams])
if sk is not None:
    print(f"max |FISTA path - scikit-learn| = {np.max(np.abs(path - sk)):.1e}; same zero pattern: "
          f"{bool(np.all((path == 0) == (sk == 0)))}")

# %%
ax = cplots.lasso_path(lams, path, reference=sk)
ax.plot([], [], "-", color="0.4", label="coursekit FISTA (lines)")
if sk is not None:
    ax.plot([], [], "o", mfc="none", color="0.4", label="scikit-learn (circles)")
ax.legend(fontsize="small");

# %% [markdown]
# ## 12. GPU section: conjugate gradient and Newton's solve for $d$ in the thousands
#
# *For instructors with an NVIDIA GPU and CuPy (`pip install -e ".[gpu]"`).* `conjugate_gradient`
# and `newton` take their array module from their inputs, so CuPy arrays run them on the GPU. The
# problem: an SPD system with $d = 8000$ ($A = MM^\top/d + I$, 512 MB), solved by CG (matrix-vector
# products) and by one Newton step on $\frac12 x^\top Ax - b^\top x$ (a dense solve, $O(d^3)$).
# Both backends must give the same solution. Without a GPU this section says so and runs a reduced
# CPU version; it never fails.

# %%
gpu = backend.gpu_available()
size = 8000 if gpu else 1000
if not gpu:
    print(f"No usable GPU here ({backend.gpu_unavailable_reason()}); running a reduced CPU version with d = {size}.")
try:
    bench = compare.spd_benchmark(size, ("numpy", "cupy") if gpu else ("numpy",), blas_threads=None if gpu else 1)
except Exception as exc:                                   # never fail: report and go on
    bench = {}
    print(f"could not run the benchmark ({type(exc).__name__}: {exc})")
print(f"{'backend':<8} {'d':>6} {'CG steps':>9} {'CG s':>8} {'Newton solve s':>15}")
for name, r in bench.items():
    print(f"{name:<8} {size:>6} {r['cg_steps']:>9} {r['cg_seconds']:>8.3f} {r['newton_seconds']:>15.3f}")
for name, r in bench.items():
    print(f"{name}: max |x_CG - x_Newton| = {np.max(np.abs(r['x_cg'] - r['x_newton'])):.1e}")
if len(bench) == 2:
    print(f"same CG solution on GPU and CPU (atol 1e-8): "
          f"{np.allclose(bench['numpy']['x_cg'], bench['cupy']['x_cg'], atol=1e-8)}")

# %% [markdown]
# CG needs only about 25 matrix-vector products here (the condition number of $A$ is small and does not
# grow with $d$), each $O(d^2)$, against the dense solve's $O(d^3)$: it is the faster of the two in
# the run above, and by these operation counts its lead grows with $d$. Both give the same solution
# to the CG tolerance.
#
# ## Summary
#
# - Convexity: chords above the graph, tangents below it, or a PSD Hessian; the tests agree (C26);
#   $\mu I \preceq \nabla^2 f \preceq LI$ puts $f$ between two quadratics. Sums and positive
#   multiples keep it (C27); an L2 penalty $\lambda \ge -\lambda_{\min}(\nabla^2 f)$ creates it on a region (C28).
#   For convex functions every local minimum is global (C29).
# - Newton solves the quadratic model: one step on a quadratic, a slow phase then doubling digits near a
#   minimum, with $e_{k+1}/e_k^2$ bounded throughout (C30); it is affine invariant and, undamped, as happy
#   to converge to a saddle or a maximum as to a minimum;
#   a step as reliable as $\kappa(H)$ allows (C31), damped by Armijo backtracking far away. It takes the
#   fewest steps, but each costs $O(d^3)$ time and $O(d^2)$ memory; first-order methods scale (C32).
# - Conjugate gradient solves SPD systems with matrix-vector products only, within as many steps as
#   distinct eigenvalues (in exact arithmetic), at a $\sqrt\kappa$ rate, and is momentum with
#   step-dependent coefficients (C33).
# - Hessians of sums of local terms are assembled from element Hessians and stay sparse (C34).
# - Projected gradient keeps every iterate feasible and ends at a KKT point (C35); the proximal step
#   (soft thresholding) handles the L1 penalty with exact zeros, FISTA at $O(1/k^2)$ (C36); the duality
#   gap certifies a Lasso iterate and tells when to stop; the subgradient method, without the prox, finds
#   no exact zero and crawls at $O(1/\sqrt k)$.
#
# **Next: chapter 4, hyperparameter tuning.** Every method here came with a knob: the step size,
# $\lambda$, the tolerance. Chapter 4 chooses such knobs systematically, with grid, random and
# evolutionary search and successive halving.
#
# ## Going further
#
# 1. Preconditioned CG solves $M^{-1}Ax = M^{-1}b$ with a cheap $M \approx A$. Try $M = \operatorname{diag}(A)$
#    on a matrix with badly scaled rows and columns: how does the step count change? What does
#    Adam's diagonal scaling (chapter 2) have in common with it?
# 2. Hessian-free Newton solves $H p = -g$ by CG using only Hessian-vector products, which cost about
#    two gradients. Write one with `convex.conjugate_gradient(lambda v: ..., -g)` for the logistic
#    problem of section 6 and time it against `convex.newton` for $d = 2000$.
# 3. The Lasso's proximal step generalizes: what is the prox of the indicator function of a convex
#    set $C$? (Then projected gradient is a special case of proximal gradient.)
