# %% [markdown]
# # Chapter 1 · Gradient descent
#
# *Optimization for Machine Learning*, an open course in notebooks. Source of this notebook:
# `course/src/01_gradient_descent.py` (rebuild it with `make notebooks`).
#
# **At the end of this chapter you will be able to**
#
# - say what "training a model" means as an optimization problem, for squared error and cross-entropy;
# - explain why the negative gradient points downhill, and tell minima, maxima and saddles apart with the Hessian;
# - check any gradient you write against finite differences;
# - predict from two numbers, $\mu$ and $L$, which learning rates make gradient descent converge,
#   which one is best, and how fast it goes;
# - reason about the noise of mini-batch gradients, and why rescaling features speeds training up;
# - read gradient descent as a numerical method for an ODE;
# - train linear and logistic regression with a gradient descent you wrote yourself.
#
# **It builds on** partial derivatives, vectors and matrices (eigenvalues of a symmetric matrix),
# and NumPy. Everything runs on a laptop in well under a minute; a last section times the same
# algorithm on a GPU.
#
# **How it is organized.** Each idea comes as: intuition, the math, the code (short calls into the
# course package `coursekit`), the evidence (a plot or a table), then a question or an exercise.
# Claims that the evidence demonstrates carry an id such as *(claim C3)*; each one is also asserted
# by the test suite (`pytest -m claim`), so what you read here is checked every time the course is built.
#
# **Exercises** live in `exercises/ch1_gradient_descent.py` (8 functions, 24.5 points): open that file next to this notebook,
# replace each `raise NotImplementedError` by your code, and run the check cell below the exercise.
# Grade the whole chapter in one command: `python -m coursekit.grade exercises/ --chapter 1`.

# %%
import inspect
import math

import numpy as np
import matplotlib.pyplot as plt
import scipy.linalg
import scipy.optimize

%config InlineBackend.figure_format = "png"
plt.rcParams.update({"figure.figsize": (6, 4), "figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3,
                     "font.size": 10, "axes.titlesize": 10, "legend.fontsize": 8.5})

from coursekit import backend, data, experiments, functions, models, optim, plots
from coursekit import theory, widgets
from coursekit.experiments import ch1_conditioning as conditioning
from coursekit.theory import gradcheck, noise_floor
from coursekit import minimize

print(backend.describe())

# %% [markdown]
# **Your exercises in this notebook.** Each exercise cell below checks your function in place
# (`check(...)` runs it in a separate process and shows a table of passed and failed
# checks with hints) and then redraws one of the chapter's figures with it. Until you have written
# a function, the figure falls back to the course's reference implementation and says so, and its
# legend says "reference" instead of "your": `exercises.yours_or_reference("ch1.gd_step", reference)`
# does that, re-reading your file each time, so edit, save, and re-run the cell. The check cells find
# `exercises/` from the project itself, wherever the kernel was started. The same rules hold for every
# exercise of the course, in the checks and in the figures: NumPy integers, floats and bools are
# accepted where Python ones are asked; arrays are float64 unless an exercise says otherwise; an input
# must not be changed in place (a note says so, and the figures hand your function copies); and a call
# must answer within 10 s, after which the reference draws the figure and says why, once.

# %%
from coursekit import exercises
from coursekit.exercises import yours_or_reference
from coursekit.grade import check

# %% [markdown]
# ## 1. Learning is minimizing a loss
#
# A model with parameters $\theta$ makes predictions $\hat y = m(x;\theta)$. A **loss function**
# measures how wrong they are on the training set; learning means finding parameters that make it small:
#
# $$\theta^\star \in \arg\min_\theta \; L(\theta) = \frac1n\sum_{i=1}^n \ell\big(m(x_i;\theta),\, y_i\big).$$
#
# Two losses cover most of this course:
#
# - **mean squared error** for real targets (regression), with a linear model $m(x;w) = x^\top w$:
#   $L(w) = \frac{1}{2n}\lVert Xw - y\rVert^2$;
# - **cross-entropy** (log-loss) for labels $y\in\{0,1\}$ (classification), with the probability
#   $p = \sigma(z) = 1/(1+e^{-z})$ of a logit $z = x^\top w$:
#   $\ell = -y\log p - (1-y)\log(1-p) = \operatorname{softplus}(z) - yz$,
#   where $\operatorname{softplus}(z) = \log(1+e^z)$.
#
# Every training program, from this linear model to a large network, repeats four moves:
# **forward** (predict), **loss** (measure), **gradient** (how the loss changes with each parameter),
# **update** (change the parameters a little against the gradient). Here they are with the package:
# the model computes loss and gradient, the optimizer only updates.

# %%
# NBVAL_CHECK_OUTPUT
X, y, w_true = data.regression(n=200, d=3, noise=0.1, seed=0)
model = models.LinearRegression()
w = np.zeros(3)
opt = optim.SGD(w, lr=0.1)                        # plain gradient descent: w <- w - lr * grad
history = []
for step in range(60):
    loss, grad = model.value_and_grad(w, X, y)    # forward pass, loss and gradient
    opt.step(grad)                                # update, in place
    history.append(loss)

print(f"loss: {history[0]:.4f} at the start -> {history[-1]:.4f} after 60 steps")
print("learned w:", np.round(w, 3))
print("true    w:", np.round(w_true, 3))

# %% [markdown]
# The optimizer's whole job fits on a screen. This is the update `optim.SGD` performs (its other
# options, momentum and weight decay, are for chapter 2; with their defaults it is
# `p = p - lr * g`):

# %%
print(inspect.getsource(optim.SGD.reference_update))

# %% [markdown]
# What the two losses look like as a function of the prediction: the squared error grows
# quadratically with the residual; the log-loss of a positive example ($y=1$) is almost linear for
# very wrong logits and fades to zero for confident right ones. Both are smooth, which is what lets
# us follow their gradients; the 0-1 error that we really care about in classification is not.

# %%
r = np.linspace(-3, 3, 301)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(r, r ** 2 / 2)
ax1.set(title="The squared error $r^2/2$ grows quadratically.", xlabel="residual $r = \\hat y - y$", ylabel="loss")
ax2.plot(r, np.logaddexp(0, -r), label="log-loss $-\\log\\sigma(z)$")
ax2.plot(r, (r < 0).astype(float), "--", label="0-1 error")
ax2.set(title="For $y = 1$ the log-loss is smooth, the 0-1 error is not.", xlabel="logit $z$", ylabel="loss")
ax2.legend()
fig.tight_layout()

# %% [markdown]
# **Two levels of optimization.** The loop above is the *inner* loop: it adjusts $w$ for a fixed
# learning rate. Choosing the learning rate (or the batch size, the model size...) is an *outer*
# loop: train with each candidate, score the result on data held out from training, keep the best.
# The outer loop sees only scores, no gradients. Chapter 4 is about doing it well; here is the idea
# in five lines.

# %%
# NBVAL_CHECK_OUTPUT
X_tr, X_val, y_tr, y_val = data.train_test_split(X, y, test_fraction=0.3, seed=1)
for lr in [0.001, 0.01, 0.1, 1.0, 2.5]:                          # outer loop: candidates
    run = minimize(model.objective(X_tr, y_tr), np.zeros(3), "sgd", 30, lr=lr)   # inner loop
    val = model.loss(run.final, X_val, y_val) if not run.diverged else float("inf")
    print(f"lr = {lr:<6} validation loss after 30 steps: {val:.4g}")

# %% [markdown]
# *Question.* Why score on held-out data and not on the training loss? (Think of a model with as
# many parameters as examples.)
#
# ## 2. Gradients
#
# ### 2.1 The negative gradient is the steepest way down
#
# Stand at $x$ and take a small step $h$ in a unit direction $u$. To first order
# $f(x+hu) \approx f(x) + h\,\nabla f(x)^\top u$, so the **directional derivative** is
# $D_u f(x) = \nabla f(x)^\top u$. By the Cauchy-Schwarz inequality
#
# $$ D_u f(x) \;\ge\; -\lVert\nabla f(x)\rVert\,\lVert u\rVert = -\lVert\nabla f(x)\rVert,$$
#
# with equality exactly for $u = -\nabla f(x)/\lVert\nabla f(x)\rVert$: the negative gradient is
# the direction of steepest local decrease, and its steepness is the gradient's norm *(claim C1)*.
#
# The evidence below measures $D_u f$ on the Rosenbrock function for 360 directions, from function
# values only (central differences, no gradient formula), and marks the direction of $-\nabla f$.

# %%
f = functions.Rosenbrock()
x = np.array([-0.7, 1.4])
angles = np.linspace(-np.pi, np.pi, 361)
U = np.stack([np.cos(angles), np.sin(angles)], axis=1)
h = 1e-6
slopes = (f.value(x + h * U) - f.value(x - h * U)) / (2 * h)     # D_u f from values alone
g = f.grad(x)
down = -g / np.linalg.norm(g)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
ax1.plot(np.degrees(angles), slopes)
ax1.axvline(np.degrees(np.arctan2(down[1], down[0])), color="C3", ls="--", label="direction of $-\\nabla f$")
ax1.axhline(-np.linalg.norm(g), color="C2", ls=":", label="$-\\|\\nabla f\\|$")
ax1.set(xlabel="direction angle (degrees)", ylabel="$D_u f(x)$", title="The slope is lowest along $-\\nabla f$.")
ax1.legend(fontsize="small")
plots.contour(f, ax=ax2, levels=25)
ax2.quiver(*x, *down, color="C3", scale=5, label="$-\\nabla f$ (unit)")
ax2.plot(*x, "ko")
ax2.set_title("The point $x$ on Rosenbrock's valley and $-\\nabla f$.")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
best = U[np.argmin(slopes)]
print(f"|grad f|                        = {np.linalg.norm(g):.4f}")
print(f"smallest slope among 360 dirs   = {slopes.min():.4f}")
print(f"angle between best and -grad    = {np.degrees(np.arccos(np.clip(best @ down, -1, 1))):.2f} degrees")

# the same in 5 dimensions, with 20000 random directions
Q5 = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 5)))[0]
f5 = functions.Quadratic(np.linspace(1, 20, 5), rotation=Q5)
x5 = np.ones(5)
V = np.random.default_rng(1).standard_normal((20000, 5))
V /= np.linalg.norm(V, axis=1, keepdims=True)
s5 = (f5.value(x5 + h * V) - f5.value(x5 - h * V)) / (2 * h)
print(f"5-D: -|grad f| = {-np.linalg.norm(f5.grad(x5)):.3f}, steepest of 20000 random directions = {s5.min():.3f}")
cosine = -s5 / np.linalg.norm(f5.grad(x5))          # slope / steepest slope = cos(angle to -grad f)
share_26 = theory.fraction_within_angle(5, 26)
print(f"within 26 degrees of -grad f (slope >= 90% of the steepest): {np.mean(cosine >= np.cos(np.radians(26))):.2%} "
      f"of the 20000 directions (theory {share_26:.2%} +- {3 * np.sqrt(share_26 / 20000):.2%}, 3 sd)")

# %%
# NBVAL_CHECK_OUTPUT
# 8 degrees is too rare for 20000 directions: count it among two million (the cosine to -grad f directly)
down5 = -f5.grad(x5) / np.linalg.norm(f5.grad(x5))
hits = 0
for chunk in range(10):
    W5 = np.random.default_rng(100 + chunk).standard_normal((200_000, 5))
    hits += np.count_nonzero(W5 @ down5 >= np.cos(np.radians(8)) * np.linalg.norm(W5, axis=1))
share_8 = theory.fraction_within_angle(5, 8)
print(f"within  8 degrees (slope >= 99% of the steepest): {hits} of 2,000,000 directions = {hits / 2e6:.4%} "
      f"(theory {share_8:.4%} +- {3 * np.sqrt(share_8 / 2e6):.4%}, 3 sd), one in {1 / share_8:,.0f}")
print(f"chance that 20000 random directions hold none of them: (1 - {share_8:.2e})^20000 = {(1 - share_8) ** 20000:.0%}")

# %% [markdown]
# In 5 dimensions random directions rarely come close to the best one: about 0.74% of them lie
# within 26 degrees of $-\nabla f$ (a slope within 90% of the steepest) and about 0.007%, one in
# 14,000, within 8 degrees (99%): the areas of spherical caps, which the samples match within their
# sampling error (three standard deviations, printed). That share falls like $\sin(\theta)^{d-1}$
# as the dimension $d$ grows. Even 20000 random tries hold no direction within 8 degrees of the
# best about a quarter of the time; the gradient gives it from one evaluation.
#
# ### 2.2 Stationary points and the Hessian
#
# Where $\nabla f(x) = 0$ the first-order picture is flat and the second order decides. With the
# Hessian $H = \nabla^2 f(x)$,
# $f(x+h) \approx f(x) + \tfrac12 h^\top H h$. Writing $h$ in the eigenvectors of $H$:
#
# - all eigenvalues $> 0$: $f$ rises in every direction, a **local minimum**;
# - all $< 0$: a **local maximum**;
# - both signs: up in some directions, down in others, a **saddle**;
# - a zero eigenvalue (and no sign change): the second order cannot decide ($x^4$ and $x^3$ at 0
#   have the same Hessian, 0) *(claim C2)*.
#
# The function $f(x,y) = x^3 - 3x - y^3 + 3y$ has all three kinds. Its gradient
# $(3x^2-3,\; 3-3y^2)$ vanishes at the four points $(\pm1, \pm1)$, and its Hessian is
# $\operatorname{diag}(6x, -6y)$.

# %%
# NBVAL_CHECK_OUTPUT
cubic = functions.CubicSaddles()
print(f"{'point':>10} {'grad':>12} {'Hessian eigenvalues':>20}  kind")
for p in [(1, -1), (-1, 1), (1, 1), (-1, -1)]:
    p = np.array(p, dtype=float)
    lam = np.linalg.eigvalsh(cubic.hessian(p))
    print(f"{str(p):>10} {str(np.abs(cubic.grad(p))):>12} {str(lam):>20}  {theory.classify_hessian(cubic.hessian(p))}")

# %% [markdown]
# The picture: contours with the four points marked (star: minimum, triangle: maximum, crosses:
# saddles), and gradient descent from a few starts. Runs that start near a saddle slide away from it
# along its negative-curvature direction; the maximum repels everything; only the minimum attracts.
# The function has no lower bound: it goes to $-\infty$ when $x \to -\infty$ or $y \to +\infty$, so
# only two of the five runs reach the minimum; the other three leave the window for good and diverge
# (printed with the figure).

# %%
starts = np.array([[0.9, 1.6], [-0.5, 1.2], [-1.6, -0.9], [1.6, 0.9], [0.2, -0.2]])
paths = minimize(cubic, starts, "sgd", 40, lr=0.05)               # five runs in one call
fig = plt.figure(figsize=(10, 4))
ax1 = fig.add_subplot(1, 2, 1, projection="3d")
plots.surface(cubic, ax=ax1)
ax2 = fig.add_subplot(1, 2, 2)
ax1.set_title("$f = x^3 - 3x - y^3 + 3y$ as a surface.")
plots.contour(cubic, paths, ax=ax2, mark_stationary=True, legend=False, levels=25, log_levels=False)
ax2.legend(*[list(t)[:3] for t in ax2.get_legend_handles_labels()], fontsize="small", loc="lower left")
ax2.set_title("Runs flee the saddles and the maximum; two reach the minimum.")
fig.tight_layout()
print(paths.message)
for start, end, lost in zip(starts, paths.final, paths.diverged):
    print(f"start {start}: " + ("diverged" if lost else f"ends at {np.round(end, 4)}, {np.linalg.norm(end - [1, -1]):.0e} from the minimum (1, -1)"))

# %% [markdown]
# *Question.* A run started exactly at the saddle $(1, 1)$ never moves: the gradient there is 0.
# Start it at $(1 + 10^{-8}, 1)$, then at $(1, 1 + 10^{-8})$. Which of the two leaves the saddle, and
# roughly how many steps of $\eta = 0.05$ does it need to get $0.1$ away? (Near a stationary point,
# the distance along an eigenvector with eigenvalue $\lambda$ is multiplied by $1 - \eta\lambda$ per step.)

# %% [markdown]
# ### 2.3 Checking gradients with finite differences
#
# Gradients are where bugs hide: a wrong gradient still produces a decreasing loss for a while.
# The cure is cheap. The **central difference**
#
# $$\frac{\partial f}{\partial x_i}(x) \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$$
#
# has error $O(\varepsilon^2)$ (the even terms of the Taylor series cancel), against $O(\varepsilon)$
# for the one-sided difference. Too small an $\varepsilon$ loses to rounding: $f$ is computed with a
# relative error of an ulp or so, $u = 2^{-52} \approx 2\cdot10^{-16}$ (float64's machine epsilon,
# twice its unit roundoff $2^{-53}$), and dividing by $2\varepsilon$ turns that into an error of
# about $u|f|/\varepsilon$. Truncation $\varepsilon^2|f^{(3)}|/6$
# and rounding balance at $\varepsilon^\star = (3u\,|f/f^{(3)}|)^{1/3}$, of the order of
# $u^{1/3} \approx 6\cdot10^{-6}$ (`theory.central_difference_eps`), not $\sqrt u \approx 10^{-8}$,
# the optimum of the one-sided difference.
# Backpropagation computes the exact gradient cheaply; the finite difference costs $2d$ function
# evaluations but needs no derivation, so it is the referee *(claim C10)*.
#
# `gradcheck.check_gradient(f, grad_f, x)` compares the two by the relative error
# $\max_i|a_i-b_i| / \max_i(|a_i|+|b_i|)$. Here it is on every model of the course, from linear
# regression to a small network trained by hand-written backpropagation:

# %%
rng = np.random.default_rng(0)
Xr, yr, _ = data.regression(n=30, d=4, seed=0)
Xc, yc = data.blobs(n=30, centers=3, dim=4, seed=1)
mlp = models.MLP([4, 8, 8, 3], activation="tanh", seed=2)
cases = {
    "linear regression": (models.LinearRegression(l2=0.1), rng.standard_normal(4), Xr, yr),
    "logistic regression": (models.LogisticRegression(l2=0.1), rng.standard_normal(4), Xc, (yc > 0) * 1.0),
    "softmax regression": (models.SoftmaxRegression(3, l2=0.1), rng.standard_normal((4, 3)), Xc, yc),
    "MLP 4-8-8-3 (backprop)": (mlp, mlp.init_params(), Xc, yc),
}
for name, (m, params, A, b) in cases.items():
    res = gradcheck.check_gradient(lambda p: m.loss(p, A, b), lambda p: m.grad(p, A, b), params)
    print(f"{name:<24} relative error {res.error:.1e} (below 1e-8: {res.error < 1e-8})")

# %% [markdown]
# Every model's gradient agrees with the central difference to a relative error below $10^{-8}$
# (the digits of each error depend on the machine's rounding; the test suite checks the bound).
# How the error depends on $\varepsilon$: on the right the truncation error
# falls like $\varepsilon^2$ (slope 2 on log-log axes), on the left rounding takes over and grows
# like $1/\varepsilon$ (slope $-1$); the minimum sits near $(3u)^{1/3}$.

# %%
m, params, A, b = cases["logistic regression"]
exact = m.grad(params, A, b)
epsilons = np.logspace(-12, -1, 23)
errors = [gradcheck.relative_error(gradcheck.numerical_gradient(lambda p: m.loss(p, A, b), params, eps=e), exact)
          for e in epsilons]
eps_star = theory.central_difference_eps()
ax = plt.figure(figsize=(5.5, 3.6)).add_subplot()
ax.loglog(epsilons, errors, "o-", label="central difference")
right, left = epsilons >= eps_star, epsilons <= eps_star
ax.loglog(epsilons[right], epsilons[right] ** 2 * errors[-1] / epsilons[-1] ** 2, "k--", label="theory: slope 2")
ax.loglog(epsilons[left], errors[0] * epsilons[0] / epsilons[left], "k:", label="theory: slope $-1$")
ax.axvline(eps_star, color="C2", ls="--", label="$(3u)^{1/3}$")
ax.set(xlabel="$\\varepsilon$", ylabel="relative error", title="The error is smallest near $\\varepsilon = (3u)^{1/3}$.")
ax.legend()
print(f"smallest error at eps = {epsilons[np.argmin(errors)]:.1e}; (3u)^(1/3) = {eps_star:.1e}")

# %% [markdown]
# ### Exercise 1 · `numerical_gradient(f, x, eps=1e-6)` (worked example)
#
# Write the central-difference gradient
# $\;g_i = \big(f(x+\varepsilon e_i) - f(x-\varepsilon e_i)\big)/(2\varepsilon)$ for an array `x` of
# any shape, without modifying `x`, and return floats also for an integer `x`. This first
# exercise is a worked example: its solution is shown below the check; try it yourself before you
# look. Hint: first `x = np.asarray(x, dtype=float)` (`np.zeros_like` of an integer array is an
# integer array, in which `eps` rounds to 0), then `np.zeros_like(x)` and `np.ndindex(x.shape)`
# visit every entry.

# %%
check("ch1.numerical_gradient")

# %% [markdown]
# **The worked example**, read from `solutions/ch1_gradient_descent.py`. Three details matter: the
# conversion to float (an integer `x` would give an integer gradient), a fresh step array per entry
# (so `x` itself is never changed), and the division by $2\varepsilon$.

# %%
print(exercises.solution_source("ch1.numerical_gradient"))

# %% [markdown]
# With your function: the $\varepsilon$ sweep of the gradient check, on the logistic regression loss.

# %%
numerical = yours_or_reference("ch1.numerical_gradient", gradcheck.numerical_gradient)
errors_yours = [gradcheck.relative_error(numerical(lambda p: m.loss(p, A, b), params, eps=e), exact)
                for e in epsilons]
ax = plt.figure(figsize=(5.5, 3.6)).add_subplot()
ax.loglog(epsilons, errors_yours, "o-", label=f"{numerical.whose()} numerical_gradient")
ax.axvline(eps_star, color="C2", ls="--", label="$(3u)^{1/3}$")
ax.set(xlabel="$\\varepsilon$", ylabel="relative error",
       title=f"The $\\varepsilon$ sweep with {numerical.whose()} numerical_gradient.")
ax.legend();

# %% [markdown]
# ## 3. The update rule and the learning rate
#
# Gradient descent repeats
#
# $$x_{k+1} = x_k - \eta\, \nabla f(x_k),$$
#
# with a **learning rate** (step size) $\eta > 0$. The gradient says which way is down, but only
# locally: how far to trust it is the learning rate's job, and everything in this section is about
# choosing it.
#
# ### Warm-up: one dimension
#
# On $f(x) = x^2$ the gradient is $2x$, so one step multiplies $x$ by $1 - 2\eta$: a small $\eta$
# creeps towards 0, $\eta = 0.5$ lands on it in one step, between $0.5$ and $1$ the iterates jump
# across 0 and still shrink, beyond $1$ each jump is longer than the last. Ten steps from $x_0 = 10$:

# %%
# NBVAL_CHECK_OUTPUT
parabola = lambda x: (x[0] ** 2, 2 * x)                                             # noqa: E731  f, f'
runs_1d = {lr: minimize(parabola, np.array([10.0]), "sgd", 10, lr=lr) for lr in [0.05, 0.2, 0.9, 1.1]}
for lr, run in runs_1d.items():
    print(f"lr = {lr:<5} factor 1 - 2 lr = {1 - 2 * lr:+.1f}   x_10 = {run.final[0]:+9.4f}   "
          f"(10 * factor^10 = {10 * (1 - 2 * lr) ** 10:+9.4f})")

# %% [markdown]
# A non-convex function adds a new possibility: the learning rate can decide *which* minimum GD
# ends in. The tilted double well $f(x) = (x^2-1)^2 + 0.3x$ has a shallow minimum near $x = 0.96$
# and a deeper one near $x = -1.04$, with a barrier between them. From $x_0 = 2$ a small step
# slides into the nearer, shallow valley; a larger first step, $x_1 = 2 - 24.3\,\eta$, jumps
# over the barrier into the deeper one; a still larger one overshoots everything and diverges.

# %%
# NBVAL_CHECK_OUTPUT
well = lambda x: ((x[0] ** 2 - 1) ** 2 + 0.3 * x[0], 4 * x * (x ** 2 - 1) + 0.3)     # noqa: E731  f, f'
well_runs = {lr: minimize(well, np.array([2.0]), "sgd", 50, lr=lr) for lr in [0.01, 0.1, 0.2]}
minima = np.sort(np.real(np.roots([4, 0, -4, 0.3])))[[0, 2]]                        # f' = 0 and f'' > 0
print(f"minima of f: x = {minima[0]:.4f} (f = {well(minima[:1])[0]:.3f}), x = {minima[1]:.4f} (f = {well(minima[1:])[0]:.3f})")
for lr, run in well_runs.items():
    end = "diverged" if run.diverged else f"x_50 = {run.final[0]:+.4f}, f = {run.losses[-1]:.3f}"
    print(f"lr = {lr:<5} x_1 = {run.iterates[1, 0]:+.2f}   {end}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
plots.paths_1d(lambda t: t ** 2, {f"lr = {lr}": run.iterates for lr, run in runs_1d.items()}, (-12, 12), ax=ax1)
ax1.set_title("On $x^2$: creep, fast, oscillate, diverge.")
plots.paths_1d(lambda t: (t ** 2 - 1) ** 2 + 0.3 * t, {f"lr = {lr}": run.iterates for lr, run in well_runs.items()},
               (-1.8, 2.2), ax=ax2)
ax2.set(ylim=(-0.6, 6), title="On a double well the step size picks the minimum.")
fig.tight_layout()

# %% [markdown]
# ### 3.1 Three regimes
#
# On the quadratic $f(x) = \tfrac12 x^\top A x$ with Hessian eigenvalues 1 and 10 (a bowl ten times
# steeper in one direction than in the other), five learning rates. Too small crawls; larger is
# faster up to a point; close to $0.2$ the iterates overshoot the valley floor at every step and
# oscillate; past $0.2$ each overshoot is bigger than the last and the run diverges *(claim C4)*.

# %%
bowl = functions.Quadratic((1.0, 10.0), angle=0.5)
x0 = np.array([-2.5, 2.0])
regimes = {lr: minimize(bowl, x0, "sgd", 100, lr=lr, tol=1e-6) for lr in [0.002, 0.02, 0.1, 0.19, 0.21]}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
plots.loss_curves({f"lr = {lr}": run for lr, run in regimes.items()}, ax=ax1, gap=True, floor=1e-16)
ax1.set(ylim=(1e-14, 1e4), title="Too small crawls, too large diverges.")
plots.contour(bowl, {f"lr = {lr}": regimes[lr] for lr in [0.02, 0.19]}, ax=ax2, levels=20)
ax2.set_title("lr = 0.02 creeps, lr = 0.19 zig-zags.")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
for lr, run in regimes.items():
    print(f"lr = {lr:<6} {run.message.split(':')[0]:<28} final f - f* = {run.losses[-1]:.2e}")

# %% [markdown]
# ### 3.2 The $2/L$ limit and the best fixed step
#
# On a quadratic $f(x) = \tfrac12 (x-x^\star)^\top A (x-x^\star)$ the gradient is $A(x-x^\star)$, so
# the error $e_k = x_k - x^\star$ obeys
#
# $$ e_{k+1} = (I - \eta A)\, e_k .$$
#
# Along an eigenvector of $A$ with eigenvalue $\lambda$ the error is multiplied by $1-\eta\lambda$
# at every step. With eigenvalues between $\mu$ (smallest) and $L$ (largest):
#
# - GD converges from every start **iff** $|1-\eta\lambda| < 1$ for all $\lambda$, that is
#   $0 < \eta < 2/L$. The steepest direction alone sets the limit.
# - The per-step contraction is $\rho(\eta) = \max(|1-\eta\mu|,\, |1-\eta L|)$. It is smallest
#   when the two are equal: $\eta^\star = \dfrac{2}{\mu+L}$, giving
#   $\rho^\star = \dfrac{L-\mu}{L+\mu} = \dfrac{\kappa-1}{\kappa+1}$ with the **condition number**
#   $\kappa = L/\mu$ *(claim C3)*.
#
# The evidence: 200 learning rates run at once (`minimize` accepts a batch of starting points and an
# array of learning rates), the contraction measured from each run, and the formula.

# %%
mu, L = bowl.mu, bowl.L
lrs = np.linspace(0.005, 0.215, 200)
batch = minimize(bowl, np.tile(x0, (lrs.size, 1)), "sgd", 60, lr=lrs[:, None], divergence_factor=1e30)
err = np.linalg.norm(batch.iterates - bowl.center, axis=-1)        # (steps + 1, 200)
measured = (err[-1] / err[0]) ** (1 / 60)

ax = plt.figure(figsize=(6, 3.8)).add_subplot()
ax.plot(lrs, theory.gd_rate(bowl.eigenvalues, lrs), "k-", lw=1, label="theory $\\max_i |1-\\eta\\lambda_i|$")
ax.plot(lrs[::4], measured[::4], "o", ms=4, label="measured $(\\|e_{60}\\|/\\|e_0\\|)^{1/60}$")
ax.axvline(theory.optimal_lr(mu, L), color="C2", ls="--", label="$2/(\\mu+L)$")
ax.axvline(theory.lr_limit(L), color="C3", ls="--", label="$2/L$")
ax.axhline(1, color="0.5", lw=0.8)
ax.set(xlabel="learning rate $\\eta$", ylabel="contraction per step", ylim=(0.3, 1.2),
       title="The measured contraction follows the theory.")
ax.legend(fontsize="small")
below_by = measured / theory.gd_rate(bowl.eigenvalues, lrs)
print(f"measured / theory: from {below_by.min():.3f} to {below_by.max():.6f}")

# %%
# NBVAL_CHECK_OUTPUT
below = minimize(bowl, x0, "sgd", 2000, lr=0.99 * 2 / L)
above = minimize(bowl, x0, "sgd", 2000, lr=1.01 * 2 / L)
best = minimize(bowl, x0, "sgd", 30, lr=theory.optimal_lr(mu, L))
e = np.linalg.norm(best.iterates - bowl.center, axis=1)
kappa = L / mu
print(f"lr = 0.99 * 2/L: diverged = {below.diverged}, final f - f* < 1e-20: {below.losses[-1] < 1e-20}")
print(f"lr = 1.01 * 2/L: diverged = {above.diverged}")
print(f"lr = 2/(mu+L) = {theory.optimal_lr(mu, L):.6f}: measured contraction per step "
      f"{np.mean(e[1:] / e[:-1]):.6f} (min {np.min(e[1:] / e[:-1]):.6f}, max {np.max(e[1:] / e[:-1]):.6f})")
print(f"(kappa - 1)/(kappa + 1) = {(kappa - 1) / (kappa + 1):.6f}")

# %% [markdown]
# The contraction is not just bounded by $(\kappa-1)/(\kappa+1)$: at $\eta^\star$ it equals it at
# every single step, because both extreme directions shrink by exactly that factor, and on this
# two-dimensional bowl there are no others. (With eigenvalues strictly between $\mu$ and $L$, the
# components along them shrink faster, and the error's norm is multiplied by less than
# $(\kappa-1)/(\kappa+1)$ per step until they have died out.)
#
# In the figure the measured points sit at or a little below the line (ratio printed with it),
# never above. The line is the worst case over starting points, reached when the error lies
# along the eigenvector that shrinks slowest; our start also has a component along the other one,
# which shrinks faster and soon no longer counts, so after 60 steps
# $\lVert e_{60}\rVert \approx \rho^{60}\,|c|$, with $|c| < \lVert e_0\rVert$ the start's component
# along the slow eigenvector, and the 60th root leaves a factor $(|c|/\lVert e_0\rVert)^{1/60}$ just
# below 1. At $\eta^\star$ both components shrink by $\rho$ and the point sits on the line.
#
# **Explore.** The first explorer shows gradient descent along the steepest direction of a
# quadratic, with a learning-rate slider in units of $1/L$: below $1/L$ the iterates approach the
# minimum from one side, between $1/L$ and $2/L$ they jump across it and still converge, beyond
# $2/L$ they jump ever further. (In JupyterLab the sliders redraw the figure; in a static view you
# see the figure for the default value.)

# %%
widgets.explore_lr_1d(lr=1.6)

# %% [markdown]
# The second explorer puts you on a landscape (pick one), lets you move the starting point and the
# learning rate, and draws the path with its loss curve. Each landscape comes with its own start,
# window and learning-rate range, and starts at a stable learning rate. Try: the quadratic with
# $\eta$ just below and above $2/L = 0.2$; Rosenbrock from its classic start $(-1.2, 1)$, where the
# steep walls ($L \approx 1500$ there, so $2/L \approx 1.3\cdot10^{-3}$) keep the step small and
# progress along the flat valley floor is slow (the largest rate on the slider still ends its 500
# steps at a loss of about 0.7, against 0 at the minimum);
# Himmelblau, where the starting point decides which of four minima you reach.

# %%
# NBVAL_CHECK_OUTPUT
rosenbrock, rosen_start = functions.Rosenbrock(), np.array([-1.2, 1.0])
L_rosen = np.abs(np.linalg.eigvalsh(rosenbrock.hessian(rosen_start))).max()
top = minimize(rosenbrock, rosen_start, "sgd", 500, lr=2.5 / L_rosen)      # the slider's largest rate
print(f"Rosenbrock at (-1.2, 1): L = {L_rosen:.0f}, 2/L = {2 / L_rosen:.2g}; "
      f"500 steps at lr = 2.5/L end at loss {top.losses[-1]:.2f}")

# %%
widgets.explore(bowl, "sgd", x0=x0, steps=60, start_sliders=True,
                sliders={"lr": widgets.Slider(1e-3, 0.3, 0.1, log=True)},
                landscapes={"quadratic (kappa = 10)": bowl,
                            "Rosenbrock": widgets.Setup(functions.Rosenbrock(), x0=(-1.2, 1.0), steps=500),
                            "Himmelblau": widgets.Setup(functions.Himmelblau(), x0=(0.0, 0.0))})

# %% [markdown]
# ### Exercise 2 · `gd_step(x, grad, lr)`
#
# Return the new point $x - \eta\,\nabla f(x)$ as a new array (leave `x` unchanged).

# %%
check("ch1.gd_step")

# %% [markdown]
# Your step, twelve times on the bowl of section 3.1 with $\eta = 0.19$, just below $2/L = 0.2$:
# the zig-zag across the steep direction.

# %%
step = yours_or_reference("ch1.gd_step", lambda x, grad, lr: x - lr * grad)
path = [x0]
for _ in range(12):
    path.append(step(path[-1], bowl.grad(path[-1]), 0.19))
ax = plots.contour(bowl, {f"{step.whose()} gd_step, lr = 0.19": np.array(path)}, levels=20, legend=True)
ax.set_title(f"Twelve steps of {step.whose()} gd_step zig-zag across the bowl.");

# %% [markdown]
# ### Exercise 3 · `gradient_descent(grad_f, x0, lr, max_steps=1000, tol=1e-6)`
#
# The whole loop, with a **stopping rule**: starting from $x_0$, repeat $x_{k+1} = x_k - \eta\nabla f(x_k)$
# (call your `gd_step`), but stop *before* stepping as soon as $\lVert\nabla f(x_k)\rVert \le$ `tol`,
# and after `max_steps` steps in any case. Return all iterates as an array of shape $(k+1, d)$,
# $x_0$ first. The gradient norm is the natural test: it is zero exactly at stationary points, and on
# an $L$-smooth, $\mu$-strongly convex function $\lVert\nabla f\rVert \le \varepsilon$ guarantees
# $f - f^\star \le \varepsilon^2/(2\mu)$.

# %%
check("ch1.gradient_descent")

# %% [markdown]
# With your loop: the learning-rate regimes of section 3.1 again.

# %%
def reference_gd(grad_f, x0, lr, max_steps=1000, tol=1e-6):
    return minimize(lambda x: (0.0, grad_f(x)), x0, "sgd", max_steps, lr=lr, tol=tol).iterates


descent = yours_or_reference("ch1.gradient_descent", reference_gd)
curves = {f"lr = {lr}": bowl.value(descent(bowl.grad, x0, lr, max_steps=100, tol=1e-6))
          for lr in [0.002, 0.02, 0.1, 0.19, 0.21]}
ax = plots.loss_curves(curves, ylabel="$f(x_k) - f^* = f(x_k)$", floor=1e-16)
ax.set(ylim=(1e-14, 1e4), title=f"The five regimes again, with {descent.whose()} gradient_descent.");

# %% [markdown]
# ### Exercise 4 · `lr_bounds(H)`
#
# From the Hessian $H$ of a quadratic (symmetric positive definite, not necessarily diagonal), return
# the pair $(2/L,\; 2/(\mu+L))$: the learning rate beyond which GD diverges and the best fixed
# learning rate, where $\mu$ and $L$ are the smallest and largest **eigenvalues** of $H$
# (`np.linalg.eigvalsh`).

# %%
check("ch1.lr_bounds")

# %%
bounds = yours_or_reference("ch1.lr_bounds", lambda H: (theory.lr_limit(np.linalg.eigvalsh(H).max()),
                                                     theory.optimal_lr(*np.linalg.eigvalsh(H)[[0, -1]])))
lr_max, lr_best = bounds(bowl.A)
ax = plt.figure(figsize=(6, 3.8)).add_subplot()
ax.plot(lrs[::4], measured[::4], "o", ms=4, label="measured contraction")
ax.axvline(lr_best, color="C2", ls="--", label=f"{bounds.whose()} lr_best = {lr_best:.4f}")
ax.axvline(lr_max, color="C3", ls="--", label=f"{bounds.whose()} lr_max = {lr_max:.4f}")
ax.axhline(1, color="0.5", lw=0.8)
ax.set(xlabel="learning rate $\\eta$", ylabel="contraction per step", ylim=(0.3, 1.2),
       title=f"{bounds.whose().capitalize()} lr_bounds mark the best and the last stable rate.")
ax.legend(fontsize="small");

# %% [markdown]
# ### 3.3 How fast: $O(1/k)$ and linear convergence
#
# Two classical results say how fast GD with $\eta = 1/L$ closes the gap $f(x_k) - f^\star$ for a
# function whose gradient is $L$-Lipschitz ("$L$-smooth"):
#
# - if $f$ is **convex**: $\;f(x_k) - f^\star \le \dfrac{L\,\lVert x_0 - x^\star\rVert^2}{2k}$, an
#   $O(1/k)$ rate, a line of slope $-1$ (or steeper) on log-log axes;
# - if $f$ is moreover **$\mu$-strongly convex** (curvature at least $\mu>0$ everywhere):
#   $\;f(x_k) - f^\star \le (1-\mu/L)^k\,\big(f(x_0)-f^\star\big)$, a **linear** rate, a straight
#   line on a semilog plot *(claim C7)*.
#
# Conditions matter: the first needs only convexity, the second needs curvature bounded below. A
# quadratic whose Hessian has eigenvalues spread from $0$ to $L$ is convex but not strongly
# convex; regularized logistic regression is strongly convex with $\mu \ge \lambda$ (its L2 weight)
# and $L \le \lambda + \lambda_{\max}(X^\top X/n)/4$, and not quadratic.

# %%
d = 60
lam = 4.0 * (np.arange(d) / (d - 1)) ** 2                           # eigenvalues 0 ... 4: mu = 0
Q = np.linalg.qr(np.random.default_rng(1).standard_normal((d, d)))[0]
flat_bowl = functions.Quadratic(lam, rotation=Q)
xa = Q @ np.ones(d)
x_star = Q[:, 0] * (Q[:, 0] @ xa)                                   # nearest minimizer
r0 = np.linalg.norm(xa - x_star)
convex_run = minimize(flat_bowl, xa, "sgd", 3000, lr=1 / flat_bowl.L)
k = np.arange(1, convex_run.steps + 1)

# %%
Xl, yl = data.blobs(n=200, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), std=1.0, seed=2)
Xl = data.add_bias(Xl)
obj = models.LogisticRegression(l2=0.1).objective(Xl, yl)
mu_l, L_l = conditioning.logistic_mu_L(Xl, l2=0.1)                  # l2 and l2 + lambda_max(X^T X / n) / 4
strong_run = minimize(obj, np.zeros(3), "sgd", 60, lr=1 / L_l)
gap = strong_run.losses - conditioning.reference_minimum(obj, np.zeros(3)).fun   # against SciPy's BFGS
ks = np.arange(strong_run.steps + 1)

# %%
steep = functions.Quadratic((1.0, 20.0), angle=1.0)                 # mu = 1, L = 20
quad_run = minimize(steep, np.array([3.0, -1.0]), "sgd", 60, lr=1 / steep.L)
quad_bound = theory.strongly_convex_gap_bound(ks, steep.mu, steep.L, quad_run.losses[0])

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
plots.against_theory(k, convex_run.losses[1:], theory.convex_gap_bound(k, flat_bowl.L, r0), ax=ax1, log="both",
                     style="-", label="GD, convex quadratic ($\\mu = 0$)", theory_label="bound $L\\|x_0-x^*\\|^2/(2k)$",
                     xlabel="step $k$", ylabel="$f(x_k) - f^*$", title="Convex: faster than the $O(1/k)$ bound.")
plots.against_theory(ks, gap, theory.strongly_convex_gap_bound(ks, mu_l, L_l, gap[0]), ax=ax2, floor=1e-17,
                     style="-", color="C0", label="logistic regression, $\\lambda = 0.1$", steps=True,
                     theory_label="its bound $(1-\\mu/L)^k (f(x_0)-f^*)$")
plots.against_theory(ks, quad_run.losses, quad_bound, ax=ax2, floor=1e-17, style="-", color="C1",
                     label="quadratic, $\\mu = 1, L = 20$", theory_label="its bound", xlabel="step $k$",
                     ylabel="$f(x_k) - f^*$", title="Strongly convex: linear, below the bound.")
ax2.set_ylim(1e-16, 100)
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
slope = np.polyfit(np.log(k[k >= 100]), np.log(convex_run.losses[1:][k >= 100]), 1)[0]
print(f"convex: bound holds at all {len(k)} steps: {bool(np.all(convex_run.losses[1:] <= theory.convex_gap_bound(k, flat_bowl.L, r0)))}; "
      f"log-log slope for k >= 100: {slope:.2f}")
resolved = gap > 1e-13
holds = np.all(gap[resolved] <= theory.strongly_convex_gap_bound(ks, mu_l, L_l, gap[0])[resolved])
print(f"strongly convex: bound holds at every step above rounding: {bool(holds)} (logistic), "
      f"{bool(np.all(quad_run.losses <= quad_bound * (1 + 1e-12)))} (quadratic)")
per_step = (quad_run.losses[-1] / quad_run.losses[1]) ** (1 / 59)
print(f"quadratic: the gap shrinks by {per_step:.4f} per step = (1 - mu/L)^2 = {(1 - steep.mu / steep.L) ** 2:.4f}; "
      f"the bound by 1 - mu/L = {1 - steep.mu / steep.L:.4f}")
print(f"at k = 60 the bound is {quad_bound[-1] / quad_run.losses[-1]:.0f} times the quadratic's gap")

# %% [markdown]
# Both bounds hold, and both are pessimistic: they are worst cases over all functions with the
# same $L$ and $\mu$.
#
# - The convex curve falls like $k^{-1.5}$, faster than $1/k$, because of how its eigenvalues are
#   spread: $\lambda_i \propto i^2$, so only about $\sqrt{\lambda}$ of them lie below any
#   $\lambda$. After $k$ steps the gap $\tfrac12\sum_i \lambda_i c_i^2 (1-\lambda_i/L)^{2k}$ comes
#   from the eigenvalues below about $L/k$, and with that density it is $\propto k^{-3/2}$. A
#   $1/k$ decay shows only when much of $x_0$ sits on eigenvalues of order $L/k$, ever closer to 0
#   as $k$ grows; even then a quadratic stays below $1/(2e) \approx 0.18$ of the bound, since
#   $t(1-t/k)^{2k} \le t e^{-2t} \le 1/(2e)$ with $\lambda = tL/k$.
# - The logistic loss is more curved near its minimum than $\mu = \lambda = 0.1$.
# - On the quadratic the linear bound is loose, and ever more so: the gap falls by
#   $(1-\mu/L)^2 = 0.9025$ per step (after the first step has removed the steep direction), the
#   square of the bound's factor $1-\mu/L = 0.95$, so the bound ends up thousands of times too high
#   at $k = 60$ (printed above).
#
# *Question.* For the convex quadratic, the component of $x_0$ along the eigenvalue-0 direction
# never changes. Why is that harmless for $f(x_k)-f^\star$, and which minimizer does GD converge to?
#
# ## 4. Batch, stochastic and mini-batch gradients
#
# The gradient of $L(w) = \frac1n \sum_i \ell_i(w)$ is an average over all $n$ examples: one step
# costs a pass over the data. A **mini-batch** gradient averages over $B$ examples drawn at random,
#
# $$ g_B = \frac1B \sum_{i\in\mathcal B} \nabla \ell_i(w), $$
#
# and costs $B/n$ of that. Since each drawn example is uniform, $\mathbb E[g_B] = \nabla L(w)$: the
# estimate is **unbiased**. Its noise, measured by $\mathbb E\lVert g_B - \nabla L\rVert^2$, is
# $\sigma^2/B$ when the examples are drawn with replacement, where
# $\sigma^2 = \frac1n\sum_i\lVert\nabla\ell_i - \nabla L\rVert^2$ is the spread of the per-example
# gradients; without replacement the **finite-population correction** $\frac{n-B}{n-1}$ multiplies
# it, down to zero noise at $B = n$ *(claim C5)*.

# %%
Xs, ys, ws = data.regression(n=400, d=5, noise=0.5, seed=3)
lin = models.LinearRegression()
w_here = ws + 0.7                                                     # some point on the way
full_grad = lin.grad(w_here, Xs, ys)
per_example = lin.per_example_grads(w_here, Xs, ys)                   # (400, 5)
sample_rng = np.random.default_rng(0)
clouds = {B: np.array([lin.grad(w_here, *data.sample_batch(Xs, ys, B, rng=sample_rng)) for _ in range(400)])
          for B in [1, 8, 64]}

sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 400])
var_with = theory.minibatch_noise(per_example, sizes, 2000, seed=1)                    # measured
var_without = theory.minibatch_noise(per_example, sizes, 2000, seed=2, replace=False)
law_with = [theory.minibatch_variance(per_example, int(B)) for B in sizes]             # theory
law_without = [theory.minibatch_variance(per_example, int(B), replace=False) for B in sizes]

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
plots.gradient_cloud(clouds, full_grad, ax=ax1)
ax1.set_title("Mini-batch gradients scatter around the full gradient.")
plots.against_theory(sizes, var_with, law_with, ax=ax2, log="both", style="o", label="sampled with replacement",
                     theory_label="theory $\\sigma^2/B$")
plots.against_theory(sizes[:-1], var_without[:-1], law_without[:-1], ax=ax2, log="both", style="s", color="C1",
                     label="without replacement", theory_label="theory $\\sigma^2/B \\cdot (n-B)/(n-1)$",
                     xlabel="batch size $B$", ylabel="$E\\|g_B - \\nabla L\\|^2$", title="The noise falls like $1/B$.")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
print(f"mean of the 400 per-example gradients = full gradient: {np.allclose(per_example.mean(axis=0), full_grad, rtol=1e-12)}")
print(f"mean of 400 batch-64 gradients / full gradient: {np.round(clouds[64].mean(axis=0) / full_grad, 2)}")
slope = np.polyfit(np.log(sizes), np.log(var_with), 1)[0]
print(f"log-log slope of the variance (with replacement): {slope:.2f}")
print(f"variance at B = n without replacement is zero (< 1e-20): {var_without[-1] < 1e-20}")

# %% [markdown]
# ### 4.1 Noisy steps: sometimes up, down on average, and a noise floor
#
# A step along one example's gradient is a step along a *different* function's steepest descent:
# it can increase the full loss. Averaged over the example drawn, though, it is a step along the
# full gradient, which decreases the loss for a small enough learning rate **as long as the full
# gradient is large compared with the spread of the per-example gradients**. So **stochastic
# gradient descent** (SGD, $B = 1$) goes up at many single steps while the loss still falls on
# average *(claim C6)*. Near the optimum the condition fails: the full gradient vanishes there, the
# per-example gradients do not, and *every* single-example step from $w^\star$ raises the loss. A
# run with a fixed learning rate therefore stops improving at a **noise floor**: for least squares
# it settles about $\eta\,\sigma_\star^2/(4B)$ above $f^\star$ (`theory.sgd_noise_floor`, to first
# order in $\eta$), where $\sigma_\star^2 = \frac1n\sum_i\lVert\nabla\ell_i(w^\star)\rVert^2$.
# Below: all 400 possible single-example steps from a point far from the optimum and from the
# optimum itself, then a whole SGD run.

# %%
far = noise_floor.single_step_changes(lin, w_here, Xs, ys, lr=0.05)          # all 400 possible steps
at_opt = noise_floor.single_step_changes(lin, lin.closed_form(Xs, ys), Xs, ys, lr=0.05)
Xn, yn, _ = data.regression(n=500, d=5, noise=0.3, seed=4)
gaps = noise_floor.sgd_gaps(Xn, yn, lr=0.02, steps=10000, seeds=[5])[:, 0]   # f(w_k) - f* of one SGD run, B = 1
ups = np.flatnonzero(np.diff(gaps[:401]) > 0) + 1                             # among the first 400 steps
sigma2_star = np.mean(np.sum(lin.per_example_grads(lin.closed_form(Xn, yn), Xn, yn) ** 2, axis=1))
floor_theory = theory.sgd_noise_floor(0.02, sigma2_star)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
ax1.hist([far, at_opt], bins=40, label=["from $w$ (far)", "from $w^\\star$"], color=["C0", "C3"])
ax1.axvline(0, color="k", lw=1)
ax1.axvline(far.mean(), color="C0", ls="--", label="average change from $w$")
ax1.set(xlabel="change of the full loss after one SGD step ($\\eta = 0.05$)", ylabel="examples",
        title="Far away most steps go down; at $w^\\star$ all go up.")
ax1.legend(fontsize="small")
ax2.semilogy(gaps[:3001], lw=0.6, color="C0", label="$f - f^*$ of the SGD run")
ax2.semilogy(ups, gaps[ups], "r.", ms=3, label="steps that went up (first 400)")
ax2.hlines(np.mean(gaps[2000:]), 2000, 3000, color="k", lw=2.5, label="its mean over steps 2000-10000")
ax2.axhline(floor_theory, color="C2", ls="--", lw=1.5, zorder=5, label="first-order theory $\\eta\\sigma_\\star^2/4$")
plots.integer_steps(ax2).set(xlabel="SGD step (B = 1, $\\eta = 0.02$)", ylabel="$f(w_k) - f^*$",
                             title="SGD falls, then hovers at a noise floor.")
ax2.legend(fontsize="small")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
print(f"from w : {np.sum(far > 0)} of 400 single steps increase the loss; average change {far.mean():+.4f}")
print(f"from w*: {np.sum(at_opt > 0)} of 400 single steps increase the loss")
print(f"SGD run: {len(ups)} of the first 400 steps went up; f - f* {gaps[0]:.3f} -> {gaps[400]:.3f}")
print(f"noise floor: mean f - f* over steps 2000-10000 = {np.mean(gaps[2000:]):.5f}, "
      f"first-order theory lr sigma*^2 / 4 = {floor_theory:.5f} ({np.mean(gaps[2000:]) / floor_theory - 1:+.1%})")

# %% [markdown]
# Far from the optimum most of the 400 single steps go down and the average step does too; from
# $w^\star$ all 400 go up. The run falls until it meets the noise floor, and then only hovers
# around it. How far its average lies from the first-order prediction is itself partly noise.
#
# **How high is the floor, exactly?** One run's average is a noisy number, so measure it over
# 200 runs. And the prediction drops a term. With the error $e = w - w^\star$ and the residuals
# $r_i = x_i^\top w^\star - y_i$ at the optimum, a step on example $i$ is
# $e' = (I - \eta x_i x_i^\top)e - \eta r_i x_i$. Averaged over $i$ in the stationary state
# (where $\mathbb E e = 0$), the second moment $P = \mathbb E[ee^\top]$ solves
#
# $$ HP + PH - \eta\,\frac1n\sum_i x_i x_i^\top P\, x_i x_i^\top = \eta\,\Sigma, \qquad
#    \Sigma = \frac1n\sum_i r_i^2 x_i x_i^\top, \qquad f - f^\star = \tfrac12\operatorname{tr}(HP)\ \text{on average}.$$
#
# The first-order floor $\eta\sigma_\star^2/4$ ($\sigma_\star^2 = \operatorname{tr}\Sigma$) drops the
# middle term, which is $O(\eta^2)$ and positive semi-definite: the exact floor always lies *above*
# the first-order one. Its leading correction is
# $\frac{\eta^2}{4}\frac1n\sum_i \lVert x_i\rVert^2\, x_i^\top P_1 x_i$ with $HP_1 + P_1H = \Sigma$;
# for standard Gaussian features it is a relative $\eta(d+2)/2$ (`noise_floor.floor_expansion`;
# `noise_floor.stationary_gap` solves the equation exactly, a $d^2\times d^2$ linear system).

# %%
# NBVAL_CHECK_OUTPUT
first, second = noise_floor.floor_expansion(Xn, yn, lr=0.02)
exact = noise_floor.stationary_gap(Xn, yn, lr=0.02)
floors = noise_floor.sgd_gaps(Xn, yn, lr=0.02, steps=5000, seeds=range(200))[1000:].mean(axis=0)   # 200 runs
spread = 3 * floors.std() / np.sqrt(floors.size)
print(f"first order  lr sigma*^2/4          = {first:.6f}")
print(f"second order (+ the eta^2 term)     = {first + second:.6f} ({(first + second) / first - 1:+.1%}; "
      f"lr (d + 2) / 2 = {0.02 * 7 / 2:.1%})")
print(f"exact stationary floor              = {exact:.6f} ({exact / first - 1:+.1%})")
print(f"200 SGD runs, steps 1000-5000: mean = {floors.mean():.6f} +- {spread:.6f} (3 standard errors, "
      f"{floors.mean() / first - 1:+.1%} +- {spread / first:.1%}); single runs from {floors.min() / first - 1:+.0%} "
      f"to {floors.max() / first - 1:+.0%}")
others = []
for seed in range(5):                                                   # the same model, other data
    Xo, yo, _ = data.regression(n=500, d=5, noise=0.3, seed=seed)
    others.append(noise_floor.stationary_gap(Xo, yo, lr=0.02) / noise_floor.floor_expansion(Xo, yo, lr=0.02)[0] - 1)
print(f"exact above first order on 5 other data sets (seeds 0-4): from {min(others):+.1%} to {max(others):+.1%}")

# %% [markdown]
# The measured floor agrees with the exact one within its sampling error, and both lie above the
# first-order prediction by about $\eta(d+2)/2$, almost all of it the second-order term. A single
# run is no judge of a few percent: the floors of single runs of 4000 steps scatter by tens of
# percent around the mean (range printed above).
#
# *Question.* The floor is proportional to $\eta/B$. Name two ways to lower it, and what each costs
# per unit of progress. (Chapter 2 adds a third: let $\eta$ decrease during the run.)
#
# ### 4.2 Cost per epoch against steps to tolerance
#
# Which batch size is cheapest? Count the work in **examples processed** (gradient evaluations of
# single examples), the quantity that dominates on a CPU. Small batches take many noisy steps, each
# cheap; full batches take few exact steps, each a pass over the data. A fair comparison gives each
# batch size its own best learning rate: for every $B$ and every target, the fastest of the eight
# rates $1/L, 1/(2L), \dots, 1/(128L)$ (one rate for all would favour whichever batch size it happens
# to suit), judged on the median of 11 seeded runs (the luckiest single run would favour the
# noisiest, smallest batches). The rate is tuned on 11 seeds and reported on 11 others: a median
# picked as the best of eight on the same runs would be biased low. The table: the work the median
# run needs to close 99% (then 99.99%) of the gap between the starting loss and the optimum, and
# its range over the 11 seeds; least squares on $n = 1000$ examples, at most 5000 steps.

# %%
# NBVAL_CHECK_OUTPUT
Xe, ye, _ = data.regression(n=1000, d=10, noise=0.3, seed=6)
L_e = np.linalg.eigvalsh(Xe.T @ Xe / 1000).max()
print(f"kappa = {theory.condition_number(Xe.T @ Xe):.3f}")
targets = ("to 1% of the gap", "to 0.01% of the gap")
cost = experiments.tuned_minibatch_cost(Xe, ye, [1, 10, 100, 1000], 2.0 ** -np.arange(8) / L_e,
                                        seeds=range(11), tune_seeds=range(100, 111))   # tuned on held-out seeds
print(experiments.cost_table(cost, L_e, targets=targets))

# %% [markdown]
# One data set is one sample too. The same comparison on six other data sets of the same kind
# (five tuning and five reported seeds each): the median run's examples, the cheapest marked.

# %%
# NBVAL_CHECK_OUTPUT
over_data = {}
for seed in range(6):
    Xd, yd, _ = data.regression(n=1000, d=10, noise=0.3, seed=seed)
    L_d = np.linalg.eigvalsh(Xd.T @ Xd / 1000).max()
    over_data[seed] = experiments.tuned_minibatch_cost(Xd, yd, [1, 10, 100, 1000], 2.0 ** -np.arange(8) / L_d,
                                                       seeds=range(5), tune_seeds=range(100, 105))
print(experiments.examples_by_dataset(over_data, targets=targets))

# %% [markdown]
# Counted in examples, the mini-batches beat the full batch at both targets, in the first table
# and in each of the six other data sets: the full batch needs 2000 and 3000 examples here (up to
# 4000 on the others), the median mini-batch run less, mostly much less. *Which* mini-batch is the
# cheapest is less settled. To the loose target it is the smallest, $B = 1$, on every data set
# above, with $B = 10$ never far behind. To the tight one, near the noise floor, it changes with the data set between $B = 1$ and
# $B = 10$, and on one data set single runs of the two come out in either order (their ranges over
# the seeds overlap). Counted in steps it is the other way round: the full batch needs the fewest
# (the batch of 100 sometimes ties it to the loose target), $B = 1$ the most. The tuned rates show
# the noise floor of section 4.1 at work: for the closer target the small batches need a smaller
# learning rate, the full batch does not. Where a batch of 100 costs about as much *time* as a
# batch of 1 (on a GPU that a small batch leaves mostly idle, say), steps are what counts, which
# shifts the balance towards larger batches (chapter 2).
#
# *Question.* This problem is well conditioned ($\kappa \approx 1.4$), so full-batch GD needs only
# a few steps. Which way would the comparison move with $\kappa = 1000$, where full-batch GD needs
# thousands of steps too?

# %% [markdown]
# ### Exercise 5 · `minibatch_gradient(grad, w, X, y, batch_size, rng)`
#
# Estimate the gradient of a loss averaged over the rows of `X` from a random batch: draw
# `batch_size` distinct row indices with `rng.choice(n, size=batch_size, replace=False)` (turn an
# int `rng` into a generator with `np.random.default_rng(rng)` first) and return
# `grad(w, X[idx], y[idx])`, the mean gradient over the batch.

# %%
check("ch1.minibatch_gradient")

# %% [markdown]
# Your estimator against the finite-population law of section 4 (300 batches per size):

# %%
estimate = yours_or_reference("ch1.minibatch_gradient",
                              lambda grad, w, X, y, B, rng: grad(w, *data.sample_batch(X, y, B, rng=rng, replace=False)))
est_rng = np.random.default_rng(11)
sizes_ex = np.array([1, 4, 16, 64, 256])
var_yours = [np.mean([np.sum((estimate(lin.grad, w_here, Xs, ys, int(B), est_rng) - full_grad) ** 2) for _ in range(300)])
             for B in sizes_ex]
ax = plt.figure(figsize=(5.5, 3.6)).add_subplot()
ax.loglog(sizes_ex, var_yours, "o", label=f"{estimate.whose()} minibatch_gradient")
ax.loglog(sizes[:-1], law_without[:-1], "k--", lw=1, label="theory $\\sigma^2/B \\cdot (n-B)/(n-1)$")
ax.set(xlabel="batch size $B$", ylabel="$E\\|g_B - \\nabla L\\|^2$",
       title=f"{estimate.whose().capitalize()} estimator follows the finite-population law.")
ax.legend(fontsize="small");

# %% [markdown]
# ## 5. Conditioning: feature scales and standardization
#
# For least squares $L(w) = \frac1{2n}\lVert Xw-y\rVert^2$ the Hessian is $X^\top X/n$. If one
# feature is measured in meters and another in kilometers, one column of $X$ is a thousand times
# larger than the other, the Hessian's eigenvalues are spread by a factor of about a million, and
# by section 3.2 GD needs $\eta < 2/L$ (set by the large feature) while it progresses like
# $(1-\eta\mu)^k$ (set by the small one).
#
# A number that measures the size of the features at once is an **induced matrix norm**, the largest
# factor by which $X$ can stretch a vector: $\lVert X\rVert_1 = \max_{v\neq0}\lVert Xv\rVert_1/\lVert v\rVert_1$.
# The unit ball of the 1-norm is a diamond whose corners are the coordinate vectors $e_j$, and
# $v\mapsto\lVert Xv\rVert_1$ is convex, so the maximum sits at a corner: $\lVert X\rVert_1$ is the
# **largest absolute column sum**, the size of the largest feature *(claim C8)*. It measures size,
# not the *disparity* between columns that slows GD: multiply every column by 1000 and
# $\lVert X\rVert_1$ grows a thousandfold while $\kappa$ does not change (last line below).

# %%
# NBVAL_CHECK_OUTPUT
Xs8, ys8, _ = data.regression(n=50, d=4, scales=[1.0, 100.0, 0.01, 5.0], seed=0)
column_sums = np.abs(Xs8).sum(axis=0)
V = np.random.default_rng(0).standard_normal((5000, 4))
ratios = np.abs(V @ Xs8.T).sum(axis=1) / np.abs(V).sum(axis=1)
print("absolute column sums:", np.round(column_sums, 2))
print(f"numpy.linalg.norm(X, 1) = {np.linalg.norm(Xs8, 1):.4f}, theory.induced_norm_1 = {theory.induced_norm_1(Xs8):.4f}")
print(f"largest |Xv|_1/|v|_1 over 5000 random v: {ratios.max():.4f} (never above the norm)")
print(f"all columns x 1000: ||X||_1 {theory.induced_norm_1(Xs8):.4g} -> {theory.induced_norm_1(1000 * Xs8):.4g}, "
      f"kappa {theory.condition_number(Xs8.T @ Xs8):.4g} -> {theory.condition_number((1000 * Xs8).T @ (1000 * Xs8)):.4g}")

# %% [markdown]
# **Standardizing** each feature, $x_j \mapsto (x_j - \bar x_j)/s_j$ with the mean and standard
# deviation of the *training* data, puts all columns on one scale. When the features are
# uncorrelated, as here, the loss contours turn from thin ellipses into near circles, and GD goes
# straight in:

# %%
Xc8, yc8, _ = data.regression(n=300, d=2, scales=[1.0, 8.0], offsets=[0.0, 0.0], noise=0.1, seed=1)
Zc8 = data.Standardizer().fit(Xc8).transform(Xc8)
scaling = {name: conditioning.least_squares_gd(A, yc8, offset=(-1.2, 0.8), tol=1e-6)     # GD at lr = 1/L
           for name, A in [("raw features", Xc8), ("standardized", Zc8)]}
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, (name, s) in zip(axes, scaling.items()):
    span = [(c - 1.5, c + 1.5) for c in s.w_star]
    plots.contour(s.objective, s.run.iterates[:41], ax=ax, window=span, levels=20, mark_minimizers=False)
    shown = "the first 40 steps" if s.run.steps > 40 else f"all {s.run.steps} steps"
    ax.set(title=f"{name.capitalize()}: $\\kappa$ = {s.kappa:.1f}, GD's path, {shown}.", xlabel="$w_1$", ylabel="$w_2$")
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
print(f"{'':<14} {'kappa':>6} {'GD steps (lr = 1/L)':>20} {'log(1/eps)/-log(1-1/kappa)':>27} {'kappa log(1/eps)':>17}")
for name, s in scaling.items():
    print(f"{name:<14} {s.kappa:6.1f} {s.run.converged_at if s.run.converged else '> 3000':>20} "
          f"{s.steps_bound:27.1f} {s.kappa_bound:17.1f}")

# %% [markdown]
# The condition number drops from about $8^2 = 64$ to 1.2 (a factor of 53), and the number of steps
# from 879 to 7 (a factor of about 126). By section 3.3, GD with $\eta = 1/L$ shrinks the error
# along the flattest direction by $1 - 1/\kappa$ per step, so cutting the gradient norm
# $1/\varepsilon$-fold (here $\varepsilon = 10^{-6}/\lVert\nabla f(x_0)\rVert$) takes at most
# about $\log(1/\varepsilon)/(-\log(1 - 1/\kappa))$ steps. For large $\kappa$ that is
# $\approx \kappa\log(1/\varepsilon)$, and both are upper estimates (1117 and 1126 against 879:
# the gradient's slow component starts smaller than its norm). Near $\kappa = 1$ the rate
# $1 - 1/\kappa$ is close to 0: the first estimate (7.8) still matches the 7 steps, while
# $\kappa\log(1/\varepsilon) = 17$ is more than twice too high. So the steps fall faster than
# $\kappa$ does. Fit the scaler on the training split only and reuse it unchanged on validation and
# test data; otherwise information from the test set leaks into training.

# %% [markdown]
# **Standardization cannot undo correlation.** It rescales each column on its own. When two features
# are strongly correlated (say a length measured twice, with a little noise), their standardized
# Hessian is $\begin{pmatrix}1&\rho\\\rho&1\end{pmatrix}$ with eigenvalues $1\pm\rho$, so
# $\kappa = (1+|\rho|)/(1-|\rho|)$ stays large: the contours stay thin ellipses, now along the
# diagonal. A counter-example:

# %%
# NBVAL_CHECK_OUTPUT
corr_rng = np.random.default_rng(3)
z = corr_rng.standard_normal(300)
X_corr = np.stack([z, 8 * (z + 0.05 * corr_rng.standard_normal(300))], axis=1)   # column 2 ~ 8 x column 1
Z_corr = data.Standardizer().fit(X_corr).transform(X_corr)
rho = np.corrcoef(X_corr.T)[0, 1]
print(f"correlation rho = {rho:.4f}")
print(f"kappa raw = {theory.condition_number(X_corr.T @ X_corr):.0f}, standardized = "
      f"{theory.condition_number(Z_corr.T @ Z_corr):.0f}, (1 + rho)/(1 - rho) = {(1 + rho) / (1 - rho):.0f}")

# %% [markdown]
# ### Exercise 6 · `fit_standardizer(X_train)` and `standardize(X, mean, scale)`
#
# `fit_standardizer` returns the column means and standard deviations (population, `ddof=0`) of the
# training data, with scale 1 for a constant column; `standardize` maps any data set with those
# training statistics: $(X - \text{mean})/\text{scale}$. "Constant" allows for rounding (a column of
# 0.1 has a computed std of about $10^{-17}$, not 0): count a column as constant when its std is at
# most $10\,\varepsilon\,|\text{mean}|$, with $\varepsilon$ = `np.finfo(float).eps`.

# %%
check("ch1.fit_standardizer")

# %%
check("ch1.standardize")

# %% [markdown]
# With your two functions: fit on a training split of the badly scaled data, transform both
# splits, and train on the result. The test split is *not* exactly centred (it was not used for
# fitting), which is how it should be.

# %%
def reference_fit(X):
    fitted = data.Standardizer().fit(X)
    return fitted.mean_, fitted.scale_


fit = yours_or_reference("ch1.fit_standardizer", reference_fit)
apply = yours_or_reference("ch1.standardize", lambda X, mean, scale: (X - mean) / scale)
X8_tr, X8_te, y8_tr, y8_te = data.train_test_split(Xc8, yc8, test_fraction=0.3, seed=0)
mean8, scale8 = fit(X8_tr)
Z8_tr, Z8_te = apply(X8_tr, mean8, scale8), apply(X8_te, mean8, scale8)
print(f"({fit.used}, {apply.used}) train column means {np.round(Z8_tr.mean(axis=0), 3) + 0.0}, "
      f"test column means {np.round(Z8_te.mean(axis=0), 3) + 0.0}")
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for ax, (name, A) in zip(axes, [("raw features", X8_tr), (f"{apply.whose()} standardization", Z8_tr)]):
    s = conditioning.least_squares_gd(A, y8_tr, tol=1e-6)                        # from w = 0, lr = 1/L
    plots.loss_curves({name: s.run}, ax=ax, gap=s.f_star, floor=1e-16)
    ax.set_title(f"{name.capitalize()}: $\\kappa$ = {s.kappa:.1f}, GD takes {s.run.steps} steps.")
fig.tight_layout()

# %% [markdown]
# ## 6. Gradient flow: gradient descent as Euler's method
#
# Let the learning rate shrink to zero while the number of steps grows so that $t = k\eta$ stays
# fixed: the GD path becomes a curve $x(t)$ that solves the ODE of **gradient flow**
#
# $$\frac{dx}{dt} = -\nabla f(x).$$
#
# Read the other way, GD *is* the simplest ODE solver, the explicit **Euler method**
# $x_{k+1} = x_k + h\,F(x_k)$ with $F = -\nabla f$ and step $h = \eta$ *(claim C9)*. Like every
# Euler method it makes an error of order $h$ over a fixed time, and it is unstable when
# $h\lambda > 2$ for a stiff direction: the $2/L$ limit again, as seen by numerical analysts. On a
# quadratic the flow is known exactly, $x(t) = x^\star + e^{-tA}(x_0 - x^\star)$.

# %%
print(inspect.getsource(theory.euler))

# %%
# NBVAL_CHECK_OUTPUT
flow_bowl = functions.Quadratic((1.0, 6.0), angle=0.6, center=(0.5, -0.5))
xf0 = np.array([-2.0, 2.0])
gd = minimize(flow_bowl, xf0, "sgd", 40, lr=0.05)
euler = theory.euler(lambda x: -flow_bowl.grad(x), xf0, 0.05, 40)
print(f"GD iterates equal Euler steps: max difference = {np.max(np.abs(gd.iterates - euler)):.1e}")
T = 2.0
flow_errors = {}
for lr in [0.2, 0.1, 0.05, 0.025, 0.0125]:
    steps = round(T / lr)
    end = minimize(flow_bowl, xf0, "sgd", steps, lr=lr).final
    exact = flow_bowl.center + scipy.linalg.expm(-T * flow_bowl.A) @ (xf0 - flow_bowl.center)
    flow_errors[lr] = np.linalg.norm(end - exact)
    print(f"lr = {lr:<7} |x_GD(t=2) - x_flow(t=2)| = {flow_errors[lr]:.5f}")
rates = np.polyfit(np.log(list(flow_errors)), np.log(list(flow_errors.values())), 1)[0]
print(f"log-log slope of the error against lr: {rates:.2f} (order 1)")

# %%
times = np.linspace(0, 3, 300)
exact_path = theory.quadratic_flow(flow_bowl.A, xf0, times, center=flow_bowl.center)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
runs_flow = {f"GD, lr = {lr}": minimize(flow_bowl, xf0, "sgd", round(3 / lr), lr=lr) for lr in [0.3, 0.15, 0.05]}
plots.contour(flow_bowl, runs_flow, ax=ax1, levels=20, markersize=2)
ax1.plot(exact_path[:, 0], exact_path[:, 1], "k-", lw=2, label="gradient flow")
ax1.legend(fontsize="small")
ax1.set_title("Smaller steps follow the gradient flow ($t \\leq 3$) more closely.")
lr_list = np.array(list(flow_errors))
plots.against_theory(lr_list, list(flow_errors.values()), lr_list * flow_errors[0.0125] / 0.0125, ax=ax2,
                     log="both", label="error at $t = 2$", theory_label="theory: slope 1",
                     xlabel="learning rate (Euler step) $\\eta$", ylabel="$\\|x_{GD} - x(t)\\|$",
                     title="Euler's error at $t = 2$ falls like $\\eta$.")
ax2.xaxis.set_minor_formatter(plt.NullFormatter())
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
away = lambda x: np.linalg.norm(x - flow_bowl.center)      # noqa: E731  distance from the minimum
print(f"at t = 3: GD with lr = 0.3 is {away(runs_flow['GD, lr = 0.3'].final):.2f} from the minimum, "
      f"the flow {away(exact_path[-1]):.2f}")

# %% [markdown]
# The ODE view explains where methods come from: chapter 2's momentum is a discretization of a
# heavy ball with friction, $\ddot x + \gamma\dot x = -\nabla f(x)$, and better integrators give
# better optimizers.
#
# *Question.* Euler's error at a fixed time is $O(\eta)$, yet GD with $\eta = 0.3$ above, far from
# the flow's path, still converges to the minimum (not by $t = 3$, where the figure stops: it is
# 0.37 away there, the flow 0.03). Why does that error not matter for optimization on
# this bowl, and which property of the flow would GD have to keep for it to matter (think of
# $\eta > 2/L$)?
#
# ## 7. Linear and logistic regression from scratch
#
# Both classic models have **convex** losses *(claim C11)*: their Hessians
#
# $$H_{\text{lin}} = \tfrac1n X^\top X, \qquad H_{\text{log}} = \tfrac1n X^\top \operatorname{diag}\big(\sigma(z_i)(1-\sigma(z_i))\big) X$$
#
# are positive semi-definite at every $w$ ($v^\top H v$ is a sum of squares with non-negative
# weights). So every local minimum is global, GD with a stable learning rate reaches it from any
# start when a minimum exists (for logistic regression without an L2 term it does not when the
# classes are linearly separable: the loss then keeps falling as $\lVert w\rVert \to \infty$; our
# classes overlap), and there is a reference answer to compare with: the least-squares solution
# for linear regression, a high-precision solver for logistic regression.

# %%
# NBVAL_CHECK_OUTPUT
check_rng = np.random.default_rng(0)
Xlin, ylin, _ = data.regression(n=100, d=3, noise=0.3, seed=5)
Xlog, ylog = data.blobs(n=200, centers=np.array([[-1.0, 0.0], [1.0, 0.5]]), std=1.2, seed=2)
Xlog = data.add_bias(Xlog)
W_random = 3 * check_rng.standard_normal((200, 3))
for name, m, A, b in [("linear", models.LinearRegression(), Xlin, ylin), ("logistic", models.LogisticRegression(), Xlog, ylog)]:
    lam_min = np.linalg.eigvalsh(m.hessian(W_random, A, b)).min()
    print(f"{name:<8} smallest Hessian eigenvalue over 200 random w: {lam_min:.4f} (>= 0: {lam_min >= -1e-10})")

# %% [markdown]
# Convex, so every start must lead to the same answer. Four random starts, against the references:

# %%
# NBVAL_CHECK_OUTPUT
starts = 5 * check_rng.standard_normal((4, 3))
lin_runs = minimize(models.LinearRegression().objective(Xlin, ylin), starts, "sgd", 500,
                    lr=1 / np.linalg.eigvalsh(Xlin.T @ Xlin / 100).max())
w_lstsq = np.linalg.lstsq(Xlin, ylin, rcond=None)[0]
print("linear:   GD from 4 starts ->", np.round(lin_runs.final, 6).tolist())
print("          numpy.linalg.lstsq  ->", np.round(w_lstsq, 6).tolist())
log_obj = models.LogisticRegression().objective(Xlog, ylog)
log_runs = minimize(log_obj, starts, "sgd", 300, lr=4 / np.linalg.eigvalsh(Xlog.T @ Xlog / 200).max())
w_bfgs = scipy.optimize.minimize(log_obj.value, np.zeros(3), jac=log_obj.grad, method="BFGS", options={"gtol": 1e-12}).x
print("logistic: GD from 4 starts ->", np.round(log_runs.final, 4).tolist())
print("          scipy BFGS          ->", np.round(w_bfgs, 4).tolist())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
plots.loss_curves({f"start {i}": r for i, r in enumerate(log_runs.rows())}, ax=ax1, gap=log_obj.value(w_bfgs),
                  floor=1e-16)                    # GD minus BFGS can round to -5e-17: keep the log axis
ax1.set(ylim=(1e-16, None), title="Four starts of logistic regression reach one optimum.")
grid = np.stack(np.meshgrid(np.linspace(-4, 4, 200), np.linspace(-4, 4, 200)), axis=-1)
proba = models.LogisticRegression().predict_proba(w_bfgs, data.add_bias(grid.reshape(-1, 2))).reshape(200, 200)
ax2.contourf(grid[..., 0], grid[..., 1], proba, levels=20, cmap="RdBu_r", alpha=0.6)
ax2.contour(grid[..., 0], grid[..., 1], proba, levels=[0.5], colors="k")
for label, color in [(0, "C0"), (1, "C3")]:
    ax2.scatter(*Xlog[ylog == label, :2].T, c=color, edgecolors="k", s=14, label=f"class {label}")
ax2.legend(fontsize="small", loc="lower right")
ax2.set(title="The fitted $P(y=1 \\mid x)$ and its 0.5 boundary.", xlabel="$x_1$", ylabel="$x_2$")
fig.tight_layout()

# %% [markdown]
# **The gradient and the step are two different jobs** *(claim C10)*. Backpropagation (or any
# gradient code) answers "which way is down, how steep"; the optimizer answers "how far do I go".
# Feed the same gradient to two optimizers and they step differently: SGD along $-\eta g$, Adam
# (chapter 2) on its first step by about $\eta$ in every coordinate, whatever the gradient's scale.

# %%
# NBVAL_CHECK_OUTPUT
Xa, ya, _ = data.regression(n=50, d=3, scales=[1.0, 5.0, 0.2], seed=2)
g0 = models.LinearRegression().grad(np.zeros(3), Xa, ya)
print("gradient            :", np.round(g0, 4))
for name in ["sgd", "adam"]:
    w_step = np.zeros(3)
    optim.OPTIMIZERS[name](w_step, lr=0.01).step(g0)
    print(f"{name:<4} step (lr 0.01):", np.round(w_step, 4))

# %% [markdown]
# ### Exercise 7 · `logistic_loss_and_grad(w, X, y)`
#
# Return the mean cross-entropy $L(w) = \frac1n\sum_i \big(\operatorname{softplus}(z_i) - y_i z_i\big)$,
# $z = Xw$, and its gradient $X^\top(\sigma(z) - y)/n$, both finite and exact for logits as large as
# $\pm1000$. The textbook form $-y\log\sigma(z) - (1-y)\log(1-\sigma(z))$ fails there:
# $\sigma(1000)$ rounds to 1 and $\log(1-1) = -\infty$; so does $\log(1+e^{z})$, since $e^{1000}$
# overflows. `np.logaddexp(0, z)` computes $\log(e^0 + e^z)$ without overflow, and
# $\sigma(z) = e^{-\operatorname{softplus}(-z)}$.

# %%
check("ch1.logistic_loss_and_grad")

# %% [markdown]
# With your loss and gradient, and your `gradient_descent` from exercise 3: logistic regression
# trained from scratch on the data of section 7, compared with the high-precision solver.

# %%
loss_and_grad = yours_or_reference("ch1.logistic_loss_and_grad", models.LogisticRegression().value_and_grad)
descent = yours_or_reference("ch1.gradient_descent", reference_gd)
L_log = conditioning.logistic_mu_L(Xlog)[1]                                   # lambda_max(X^T X / n) / 4
path = descent(lambda w: loss_and_grad(w, Xlog, ylog)[1], np.zeros(3), 1 / L_log, max_steps=2000, tol=1e-8)
print(f"logistic_loss_and_grad: {loss_and_grad.used}, gradient_descent: {descent.used}, {len(path) - 1} steps")
print("your w:", np.round(path[-1], 4), " BFGS:", np.round(w_bfgs, 4))
ax = plots.linear_boundaries(Xlog, ylog, {f"{descent.whose()} boundary": path[-1], "BFGS (scipy)": w_bfgs})
ax.set_title(f"{descent.whose().capitalize()} gradient descent finds BFGS's boundary.");

# %% [markdown]
# ## 8. GPU section: full-batch gradient descent on millions of rows
#
# *For instructors with an NVIDIA GPU and CuPy (`pip install -e ".[gpu]"`).* The package takes its
# array module from its inputs, so the very same `minimize` call runs on the GPU when the data are
# CuPy arrays: `backend.use("cupy")` makes `backend.asarray` put new arrays there. The problem:
# least squares with 2 million rows and 32 features, 100 full-batch GD steps, each two
# matrix-vector products over 512 MB of data. Both backends start from the same data and must
# end at the same weights. Without a GPU this section says so and runs a reduced version on the
# CPU; it never fails.

# %%
gpu = backend.gpu_available()
n_rows, n_features, gd_steps = (2_000_000 if gpu else 50_000), 32, 100
if not gpu:
    print(f"No usable GPU here ({backend.gpu_unavailable_reason()}); running a reduced CPU version "
          f"with {n_rows:,} rows.")
X_big, y_big, _ = data.regression(n=n_rows, d=n_features, noise=0.5, seed=8)
lr_big = 1 / np.linalg.eigvalsh(X_big.T @ X_big / n_rows).max()
timings = experiments.time_gradient_descent(X_big, y_big, gd_steps, lr_big,
                                            backends=["numpy", "cupy"] if gpu else ["numpy"])

# %%
print(f"{'backend':<8} {'rows':>10} {'steps':>6} {'seconds':>8} {'ms/step':>8} {'final loss':>12} {'warm-up s':>9}")
for name, run in timings.items():
    if isinstance(run, str):                       # this backend failed: say why, go on
        print(f"{name:<8} could not run ({run})")
        continue
    print(f"{name:<8} {n_rows:>10,} {run.steps:>6} {run.wall_time:>8.2f} {1000 * run.wall_time / run.steps:>8.2f} "
          f"{run.losses[-1]:>12.8f} {run.warmup_time:>9.2f}")
if not isinstance(timings.get("cupy", ""), str):
    same = np.allclose(timings["cupy"].final, timings["numpy"].final, rtol=1e-9, atol=1e-12)
    print(f"same weights on GPU and CPU (rtol 1e-9): {same}; "
          f"speed-up {timings['numpy'].wall_time / timings['cupy'].wall_time:.1f}x")

# %% [markdown]
# The timings include everything `minimize` does per step, among it copying the 32 weights back to
# the CPU to record the path; with a million rows or more the matrix-vector products dominate.
# Two untimed steps of the same run come first ("warm-up": on a GPU, compiling its kernels).
#
# ## Summary
#
# - Training minimizes an average loss $L(\theta)$; a training step is forward, loss, gradient, update.
# - $-\nabla f$ is the steepest direction (C1); at $\nabla f = 0$ the Hessian's eigenvalue signs tell
#   minimum, maximum and saddle apart (C2); a central-difference check keeps gradients honest (C10).
# - On a quadratic with curvatures in $[\mu, L]$, GD converges iff $\eta < 2/L$, best at
#   $\eta = 2/(\mu+L)$ with contraction $(\kappa-1)/(\kappa+1)$ (C3, C4). For any $L$-smooth function
#   and $\eta = 1/L$: $O(1/k)$ if it is convex, linear if it is strongly convex (C7).
# - Mini-batch gradients are unbiased with noise $\propto 1/B$ (C5); single SGD steps can go up while
#   the loss falls on average, and near the optimum every one goes up: with a fixed learning rate
#   SGD settles at a noise floor, $\eta\sigma_\star^2/(4B)$ to first order and a little above it (C6).
# - With the learning rate tuned per batch size, on a well-conditioned least-squares problem,
#   mini-batches need fewer examples than the full batch, the full batch the fewest steps; which
#   small batch is cheapest near the noise floor changes with the data.
# - Badly scaled features mean a large $\kappa$ and slow GD; standardization fixes it when the
#   features are uncorrelated, not when they are strongly correlated (C8).
# - GD is Euler's method for gradient flow (C9).
# - Linear and logistic regression are convex: GD finds the optimum from anywhere, when one exists
#   (C11).
#
# **Next: chapter 2, modern optimizers.** The condition number $\kappa$ is the enemy of this
# chapter: GD needs a number of steps proportional to $\kappa$ per digit of accuracy ($\kappa\ln 10$
# at $\eta = 1/L$). Momentum (the heavy ball of section 6) cuts that to the order of $\sqrt\kappa$;
# AdaGrad, RMSProp and Adam rescale each coordinate as the standardization of section 5 did, but
# learned from the gradients; schedules shrink the learning rate to tame the noise of section 4.
#
# ## Going further
#
# 1. Section 3.2 shows the best *fixed* step on a quadratic. What if the learning rate may change
#    at every step? With $d$ different rates chosen from the eigenvalues, in how many steps can GD
#    solve a $d$-dimensional quadratic exactly? (Hint: $\prod_k (I - \eta_k A)$; this is the door to
#    Chebyshev acceleration and the conjugate gradient method of chapter 3.)
# 2. The $O(1/k)$ bound of section 3.3 is for the last iterate of GD. Nesterov showed that no method
#    using only gradients can beat $O(1/k^2)$ on all convex $L$-smooth functions. Find the quadratic
#    that proves it (a tridiagonal "chain") and run GD on it with `functions.Quadratic`.
# 3. In section 4 the noise of SGD was a nuisance. Argue why, on a non-convex loss, it can also
#    help (think of the saddle points of section 2.2, and of sharp versus flat minima).
