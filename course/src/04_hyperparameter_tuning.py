# %% [markdown]
# # Chapter 4 · Hyperparameter tuning
#
# *Optimization for Machine Learning*, an open course in notebooks. Source of this notebook:
# `course/src/04_hyperparameter_tuning.py` (rebuild it with `make notebooks`).
#
# **At the end of this chapter you will be able to**
#
# - see tuning as an optimization loop *around* training, that only sees validation scores;
# - explain why random search beats a grid when few hyperparameters matter, and find the one that
#   matters most (usually the learning rate), for instance with a learning-rate range test;
# - spend a budget well with successive halving and Hyperband, evolve a population with tournaments,
#   and accept a "better" configuration only when a confidence interval says it is;
# - escape local minima with replica exchange;
# - diagnose a broken training run from its curve;
# - run the same search on a process pool, a Dask cluster, or as one array computation on a GPU.
#
# **It builds on** chapters 1 and 2 (gradient descent, momentum, Adam, mini-batches).
#
# **Budgets are small on purpose.** The model is the course MLP (two hidden layers of 32 units) on a
# 3-class spirals data set of 600 points; a "budget" is a number of training epochs, at most 27
# (section 1 times one such trial; one debugging example in section 8 runs 40). The whole notebook runs in under a minute on a laptop without a
# GPU; conclusions are drawn from repeated runs, and the statements below say over how many. The one
# comparison too expensive for that (every strategy over 30 seeds) was run ahead of time by one
# command, `make tuning-comparison`, and the notebook reads its stored results.
#
# **Exercises** live in `exercises/ch4_hyperparameter_tuning.py` (8 functions, 13.5 points): open that file next to this notebook,
# replace each `raise NotImplementedError` by your code, save, and run the check cell below the exercise
# (it runs your function in a separate process and shows what was expected, what came back, and the
# likely mistake).
# Grade the chapter in one command: `python -m coursekit.grade exercises/ --chapter 4`.

# %%
import inspect
import json
import math
import time
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt

%config InlineBackend.figure_format = "png"
plt.rcParams.update({"figure.figsize": (6, 3.8), "figure.dpi": 110, "savefig.dpi": 110, "axes.grid": True,
                     "grid.alpha": 0.3, "font.size": 10, "axes.titlesize": 10, "legend.fontsize": 8.5})

from threadpoolctl import threadpool_limits

from coursekit import backend, tuning
from coursekit.exercises import yours_or_reference
from coursekit.experiments import ch4 as experiments, ch4_compare as compare
from coursekit.grade import check
from coursekit.plots import tuning as plotting
from coursekit.tuning import objectives, sensitivity

print(backend.describe())

# %% [markdown]
# ## 1. Two loops: training inside, tuning outside
#
# Training is the **inner loop**: for fixed hyperparameters (learning rate, momentum, batch size,
# width...) an optimizer follows gradients of the training loss. Tuning is the **outer loop**: it
# proposes hyperparameters, runs the inner loop, and reads one number back, the loss on a
# **validation** set that training never saw. It has no gradient with respect to the learning rate;
# it only compares scores *(claim C37)*. Here is the inner loop the whole chapter tunes (`start`
# continues a run from a checkpoint: section 4 uses it):

# %%
def without_docstring(function):
    source = inspect.getsource(function)
    head, _, rest = source.partition('    """')
    return head + rest.split('"""\n', 1)[1]

print(without_docstring(objectives.train_mlp))
print(without_docstring(objectives.mlp_validation_loss))

# %% [markdown]
# and here is the outer loop, the simplest one can write. Every objective in this chapter has the
# signature `objective(config, budget, seed) -> loss`: a configuration, a budget (epochs), and a seed
# that fixes the initial weights and the order of the mini-batches.

# %%
# NBVAL_CHECK_OUTPUT
seen = []
for lr in [0.001, 0.01, 0.1, 1.0]:                                      # outer loop
    score = objectives.mlp_validation_loss({"lr": lr}, budget=9, seed=0)  # inner loop inside
    seen.append((lr, score))
    print(f"lr = {lr:<6} validation loss after 9 epochs: {score:.3f}")
print("the tuner keeps lr =", min(seen, key=lambda p: p[1])[0])

# %% [markdown]
# What one trial costs (CPU time, one BLAS thread, so that other programs on the machine do not
# change the number much):

# %%
with threadpool_limits(1):
    start = time.process_time()
    objectives.mlp_validation_loss({"lr": 0.1}, budget=27, seed=0)
    trial_seconds = time.process_time() - start
print(f"one trial of 27 epochs: {trial_seconds:.3f} s of CPU time")

# %% [markdown]
# **Three sets, three jobs.** `objectives.splits()` cuts the data into 60% training (gradients),
# 20% validation (the tuner's score) and 20% test. The test set is scored once, after all tuning is
# over. Why never tune on it? Because *selecting* on a noisy score biases it. The same configuration
# trained with 16 seeds gives 16 different validation losses; a search that happened to try the
# luckiest seed would report the minimum, not what the configuration is worth:

# %%
# NBVAL_CHECK_OUTPUT
scores = np.array([objectives.mlp_validation_loss({"lr": 0.1}, 9, seed) for seed in range(16)])
print(f"one config, 16 seeds: mean {scores.mean():.3f}, sd {scores.std(ddof=1):.3f}, "
      f"min {scores.min():.3f}, max {scores.max():.3f}")
print(f"the best of 16 looks {scores.mean() - scores.min():.3f} better than the config really is")

# %% [markdown]
# After a search has picked its best configuration on the validation set, that validation score is
# optimistic; the test score of the chosen model is the honest estimate, and it stays honest only if
# nothing was ever chosen with it.
#
# *Question.* A colleague tunes 200 configurations and reports the best validation accuracy as the
# model's accuracy. What would you ask for?
#
# ### Exercise 1 · `grid_configs(axes)`
#
# Return every combination of the values in `axes` (a dict name -> list of values) as a list of
# dicts, in `itertools.product` order. (The rules of every exercise, as in chapter 1: NumPy scalars
# count as Python ones, arrays are float64, inputs stay unchanged, 10 s per call.)

# %%
check("ch4.grid_configs")

# %% [markdown]
# ### Exercise 2 · `search_loop(objective, configs, budget, seeds)`
#
# The outer loop: score every config with its seed; a call that raises or returns NaN / inf is a
# failed trial, recorded as NaN, and never stops the loop. Return the index of the lowest finite score
# and the list of scores; when every trial failed, the index is None. (The check hands you a flaky
# objective that crashes, returns NaN or returns inf on purpose, and once one where every trial fails.)

# %%
check("ch4.search_loop")

# %% [markdown]
# Section 1's outer loop again, written with your `grid_configs` and `search_loop`, then the same loop
# on `objectives.flaky`: when both are right, the tuner keeps the same learning rate as above, and the
# flaky search records NaN for the crashed (x = 0.9) and the NaN (x = 0.05) trials and still finds x = 0.3.

# %%
import itertools
def reference_loop(objective, configs, budget, seeds):
    scores = [tuning.trials.run_trial(objective, c, budget, s)[0] for c, s in zip(configs, seeds)]
    finite = [i for i, score in enumerate(scores) if not math.isnan(score)]
    return (min(finite, key=scores.__getitem__) if finite else None), scores
grid = yours_or_reference("ch4.grid_configs",
                          lambda axes: [dict(zip(axes, v)) for v in itertools.product(*axes.values())])
outer = yours_or_reference("ch4.search_loop", reference_loop)
lr_grid = grid({"lr": [0.001, 0.01, 0.1, 1.0]})
best, lr_scores = outer(objectives.mlp_validation_loss, lr_grid, 9, [0] * len(lr_grid))
print(f"{grid.whose()} grid_configs and {outer.whose()} search_loop: the tuner keeps lr =", lr_grid[best]["lr"],
      "| scores", np.round(lr_scores, 3))
xy = grid({"x": [0.05, 0.3, 0.5, 0.9], "y": [0.3]})
best, xy_scores = outer(objectives.flaky, xy, 9, list(range(len(xy))))
print(f"{outer.whose()} search_loop on flaky: scores {np.round(xy_scores, 3)}, best x =", xy[best]["x"])

# %% [markdown]
#
# ## 2. Search spaces, grids and random search
#
# A search space says what to try and on which scale. A learning rate is a **scale** parameter: 0.001
# and 0.01 differ as much as 0.1 and 1. Sampling it uniformly in [1e-4, 1] would put 90% of the
# trials above 0.1; `LogUniform` spreads them evenly over the decades.

# %%
space = tuning.Space(lr=tuning.LogUniform(1e-4, 1.0), momentum=tuning.Uniform(0.0, 0.99),
                     width=tuning.Integer(8, 64), activation=tuning.Choice(["relu", "tanh"]))
rng = np.random.default_rng(0)
configs = space.sample(2000, rng)
uniform_lr = rng.uniform(1e-4, 1.0, size=2000)
fig, ax = plt.subplots(figsize=(6, 3))
bins = np.logspace(-4, 0, 21)
ax.hist([c["lr"] for c in configs], bins=bins, alpha=0.7, label="LogUniform(1e-4, 1)")
ax.hist(uniform_lr, bins=bins, alpha=0.7, label="uniform on [1e-4, 1]")
ax.set(xscale="log", xlabel="learning rate", ylabel="trials out of 2000",
       title="Log-uniform sampling gives every decade the same share")
ax.legend();

# %% [markdown]
# ### Exercise 3 · `log_uniform(low, high, n, seed)`
#
# Draw n learning rates whose logarithm is uniform: one `rng.uniform` call on the log scale, then
# `np.exp`; return a float64 array. (The typical mistake, uniform sampling in [low, high], is the orange
# histogram above.)

# %%
check("ch4.log_uniform")

# %% [markdown]
# The histogram again, drawn from your `log_uniform`: when it is right, its bars are as flat over the
# four decades as the `LogUniform` ones above, about 100 trials per bin.

# %%
sampler = yours_or_reference("ch4.log_uniform", lambda low, high, n, seed: np.array(
    tuning.LogUniform(low, high).from_unit(np.random.default_rng(seed).uniform(size=n))))
drawn = sampler(1e-4, 1.0, 2000, seed=0)
fig, ax = plt.subplots(figsize=(6, 3))
ax.hist(drawn, bins=bins, alpha=0.7, label=f"{sampler.whose()} log_uniform(1e-4, 1, 2000)")
ax.hist(uniform_lr, bins=bins, alpha=0.7, label="uniform on [1e-4, 1]")
ax.set(xscale="log", xlabel="learning rate", ylabel="trials out of 2000",
       title=f"{sampler.whose().capitalize()} log_uniform gives every decade the same share")
ax.legend();

# %% [markdown]
# **Grid or random?** With $k$ trials on a grid over $d$ hyperparameters, each axis gets only
# $k^{1/d}$ distinct values. If one hyperparameter matters and the others barely do, the grid has
# spent most of its budget repeating the same few values of the one that matters; random search
# tries $k$ distinct values of it (Bergstra & Bengio 2012). The picture: 9 trials each, on a landscape
# where only the horizontal axis matters.

# %%
few = tuning.Space(a=tuning.Uniform(0, 1), b=tuning.Uniform(0, 1))
grid_pts = np.array([[c["a"], c["b"]] for c in few.grid(3)])
rand_pts = np.array([[c["a"], c["b"]] for c in few.sample(9, np.random.default_rng(1))])
a = np.linspace(0, 1, 200)
importance = np.exp(-((a - 0.62) / 0.08) ** 2)                # the score depends on a only
fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), sharey=True)
for ax, pts, name in zip(axes, [grid_pts, rand_pts], ["grid 3 x 3", "random, 9 trials"]):
    ax.scatter(pts[:, 0], pts[:, 1], zorder=3)
    ax.plot(a, 0.25 * importance - 0.3, color="C2", label="score along a (what matters)")
    ax.vlines(pts[:, 0], -0.3, -0.05, color="C3", lw=1, label="values of a tried")
    ax.set(xlabel="a (important)", title=f"{name}: {len(set(np.round(pts[:, 0], 9)))} distinct values of a",
           ylim=(-0.32, 1.02))
axes[0].set_ylabel("b (unimportant)")
axes[0].legend(fontsize="small", loc="upper left");

# %% [markdown]
# One picture proves nothing; here are 200 landscapes $f = (a-a^\star)^2 + 0.01\,(b-b^\star)^2 +
# 0.01\,(c-c^\star)^2$ with the optimum drawn at random each time, searched by a $3\times3\times3$ grid
# and by 27 random trials *(claim C38)*:

# %%
# NBVAL_CHECK_OUTPUT
grid_best, random_best = experiments.grid_vs_random(reps=200, seed=0)
print(f"mean best score: grid {grid_best.mean():.4f}, random {random_best.mean():.4f}")
print(f"median best score: grid {np.median(grid_best):.4f}, random {np.median(random_best):.4f}")
print(f"random search found the better config on {np.mean(random_best < grid_best):.0%} of the 200 landscapes")

# %% [markdown]
# The argument has a condition, *few hyperparameters matter*, and it can fail. When all three matter
# equally, $f = (a-a^\star)^2 + (b-b^\star)^2 + (c-c^\star)^2$, the grid's even spacing is what pays:
# its worst case is bounded (on each axis every optimum lies within 1/6 of one of the grid's values
# 1/6, 1/2, 5/6), while 27 random points leave gaps. Same 200 landscapes, same budgets:

# %%
# NBVAL_CHECK_OUTPUT
grid_all, random_all = experiments.grid_vs_random(reps=200, seed=0, weights=(1.0, 1.0, 1.0))
print(f"all three matter: mean best score grid {grid_all.mean():.4f}, random {random_all.mean():.4f}; "
      f"random better on {np.mean(random_all < grid_all):.0%} of the landscapes")

# %% [markdown]
# Quasi-random sequences (Sobol, Halton, from `scipy.stats.qmc`) fill the cube more evenly than
# independent draws and keep random search's "distinct values on every axis":
# `tuning.random_search(..., sampler="sobol")`.
#
# *Question.* With 27 trials and 3 hyperparameters of which one matters, how many distinct values of
# the important one does a $3\times3\times3$ grid try? A Sobol sequence of 27 points?
#
# ## 3. Which hyperparameter matters? Sensitivity and the learning-rate range test
#
# Move one hyperparameter at a time over its range, the others at a sensible base (lr 0.03,
# momentum 0.9, batches of 32, weight decay 1e-4), 4 epochs, mean of 2 seeds *(claim C39)*:

# %%
sens_space = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0), batch_size=tuning.Choice([16, 32, 64, 128, 256]),
                          momentum=tuning.Uniform(0.0, 0.99), weight_decay=tuning.LogUniform(1e-5, 1e-1))
base = {"lr": 0.03, "batch_size": 32, "momentum": 0.9, "weight_decay": 1e-4}
_, effects = sensitivity.one_at_a_time(objectives.mlp_validation_loss, sens_space, base,
                                       points=5, budget=4, seeds=(0, 1))
fig, axes = plt.subplots(1, 4, figsize=(11, 2.9), sharey=True)
for ax, (name, e) in zip(axes, effects.items()):
    ax.plot(e["values"], e["mean"], "o-")
    ax.set(xlabel=name, xscale="log" if name in ("lr", "weight_decay", "batch_size") else "linear",
           title=f"spread {e['spread']:.2f}")
    if name == "batch_size":
        ax.set_xticks(e["values"], [str(v) for v in e["values"]]); ax.minorticks_off()
axes[0].set_ylabel("validation loss (4 epochs)")
fig.suptitle("Moving the learning rate changes the score most"); fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
for name, e in sorted(effects.items(), key=lambda kv: -kv[1]["spread"]):
    print(f"{name:>12}: spread of the validation loss {e['spread']:.3f}")

# %% [markdown]
# One-at-a-time lines are local: they move around one base configuration. A global view comes from a
# random search over all four at once (30 trials, 4 epochs): the score against each hyperparameter,
# and the share of the score's variance that each one explains alone (binned first-order effects,
# 3 bins). With 30 noisy trials such a share is itself noisy, so the search is repeated with six seeds,
# and beside it stands what a hyperparameter that does not matter at all gets: the same computation
# after shuffling the scores (200 shuffles per search), which breaks every link between a
# hyperparameter and the score.

# %%
imp = sensitivity.importance(objectives.mlp_validation_loss, sens_space, 30, budget=4, seeds=range(1, 7), bins=3)
fig = imp["studies"][0].plot("scatter", title="Seed 1: the loss follows the learning rate most clearly "
                                               "(30 random trials, 4 epochs)")

# %%
# NBVAL_CHECK_OUTPUT
null_mean, null_95 = imp["null"].mean(), np.quantile(imp["null"], 0.95)
print(f"shuffled scores (no link): mean share {null_mean:.3f}, 95th percentile {null_95:.3f}")
for j, name in enumerate(imp["names"]):
    v = imp["shares"][:, j]
    print(f"{name:>12}: mean share {v.mean():.2f} (seeds: {', '.join(f'{x:.2f}' for x in v)}); "
          f"above the 95th percentile on {np.sum(v > null_95)} of {v.size} seeds")

# %%
ax = plotting.importance(imp, title="Only the learning rate's share stands clear of the shuffled baseline")

# %% [markdown]
# Read against the baseline, the six searches agree on one thing only: the learning rate's share is
# above the shuffled baseline's 95th percentile on all but one seed (on seed 2 it is 0.09, below the baseline's 95th
# percentile: 30 trials can miss). Batch size, momentum and weight decay average around 0.08 to 0.10,
# close to the 0.07 that a useless hyperparameter gets by chance, and each clears the 95th percentile
# on at most one seed: at this budget their effects cannot be told from noise. (A single search can
# mislead: seed 1 alone, the scatter above, gives batch size and momentum a fifth of the variance
# each.) Part of any batch-size effect is the learning rate in disguise: at a fixed number of epochs on
# the 360 training points a batch of 16 takes 23 steps per epoch and a batch of 256 only 2, and the
# noise of a step (lr times a gradient whose standard deviation falls like $1/\sqrt{B}$) scales like
# lr / $\sqrt{B}$.
# That is one reason to tune the learning rate first, and to re-tune it when the batch size changes.
#
# **The learning-rate range test** (Smith 2017, in *Cyclical learning rates for training neural
# networks*; popularized as fast.ai's "LR finder") finds a good learning rate in one short run: train
# while the learning rate grows exponentially from $10^{-4}$ to $10$ over 150 mini-batches, record the
# loss, stop when it blows up (4 times its lowest smoothed value), restore the weights. The rule used
# here, and tested, is fast.ai's rule of thumb built on it: **suggest the learning rate at the minimum of
# the smoothed loss, divided by 10.**

# %%
from coursekit import models
X_train, y_train = objectives.splits()["train"]
mlp = models.MLP([2, 32, 32, 3], seed=0)
params = mlp.init_params()
found = tuning.lr_range_test(mlp, params, X_train, y_train, lr_min=1e-4, lr_max=10.0, steps=150,
                             batch_size=32, optimizer="sgd", momentum=0.9)
ax = plotting.lr_range(found, title="The loss falls, bottoms out, then climbs as the rate grows")
low = np.argmin(found.smoothed)
print(f"lowest smoothed loss {found.smoothed[low]:.3f} at lr = {found.lrs[low]:.3g}; at the last lr "
      f"({found.lrs[-1]:.3g}): {found.smoothed[-1]:.3f}, {found.smoothed[-1] / found.smoothed[low]:.1f} x the lowest")
print(f"stopped early by a blow-up: {found.stopped_early}; suggestion {found.suggestion:.3g}")

# %%
# NBVAL_CHECK_OUTPUT
for factor in (0.1, 1.0, 10.0):
    lr = found.suggestion * factor
    runs = [objectives.mlp_validation_loss({"lr": lr}, 9, s) for s in range(3)]
    print(f"lr = {lr:.3g} ({factor:g} x suggestion): validation loss after 9 epochs, 3 seeds: "
          f"{np.mean(runs):.3f} +- {np.std(runs, ddof=1):.3f}")

# %% [markdown]
# Here the smoothed loss bottoms out near lr = 0.29 and then climbs back to about 1.5, above
# ln 3 = 1.10 (the loss of a network that predicts 1/3 for every class); it never
# reached 4 times its minimum (3 times at the last rate), so the test ran to its last learning rate.
# The suggestion trains, but slowly: 0.375 after 9 epochs, where lr = 0.1 reached 0.195 on average in
# section 1. The minimum itself (10 x the suggestion) reaches a lower mean loss on these 3 seeds but
# varies about twice as much between them; a tenth of the suggestion is too slow. The rule is
# deliberately on the safe side: it gives the *scale* of the learning rate, which a short search can
# then refine.
#
# ### Exercise 4 · `suggest_lr(lrs, smoothed)`
#
# The rule: the learning rate at the minimum of the smoothed loss, divided by 10, ignoring NaN and
# inf (the end of a run that blew up).

# %%
check("ch4.suggest_lr")

# %% [markdown]
# Your rule on the range test above, and on the same curve ending in a blow-up (inf, then NaN): when it
# is right, its line falls on the package's suggestion and both suggestions printed are the same.

# %%
suggest = yours_or_reference("ch4.suggest_lr", tuning.suggest_lr)
lr_yours = suggest(found.lrs, found.smoothed)
lr_blown = suggest(np.append(found.lrs, [12.0, 15.0]), np.append(found.smoothed, [np.inf, np.nan]))
ax = plotting.lr_range(found, title=f"The range test's suggestion, with {suggest.whose()} suggest_lr")
ax.axvline(lr_yours, color="k", ls=":", lw=2, label=f"{suggest.whose()} suggest_lr {lr_yours:.2g}")
ax.legend(fontsize="small")
print(f"{suggest.whose()} suggest_lr: {lr_yours:.4g}; on the blown-up curve: {lr_blown:.4g}; "
      f"lr_range_test's: {found.suggestion:.4g}")

# %% [markdown]
# *Question.* Why does the range test restore the weights at the end, and what would go wrong if it
# did not?
#
# ## 4. Successive halving and Hyperband: stop bad configurations early
#
# Most configurations are visibly bad after one epoch. **Successive halving** (Jamieson & Talwalkar
# 2016) starts $n$ configurations at a small budget, keeps the best $1/\eta$, multiplies the budget by
# $\eta$, and repeats. Scores are losses, so "best" means *lowest*. **Hyperband** (Li et al. 2017)
# hedges the bet on how early one can judge: it runs several brackets, from aggressive (81
# configurations from 1 epoch) to cautious (5 configurations at the full 81). Its brackets for
# $R = 81$, $\eta = 3$ are Table 1 of the paper, computed here in integers:

# %%
# NBVAL_CHECK_OUTPUT
brackets = tuning.hyperband_brackets(81, min_budget=1, eta=3)
for s, rungs in zip(range(len(brackets) - 1, -1, -1), brackets):
    print(f"s = {s}: " + "  ".join(f"{n:>2} x {r:<2}" for n, r in rungs))
print("math.log(243, 3) =", math.log(243, 3), "-> int() gives", int(math.log(243, 3)),
      "; integer arithmetic gives", len(tuning.hyperband_brackets(243)) - 1)

# %% [markdown]
# (`n x r`: n configurations trained for r epochs.) The floating-point logarithm is a real trap:
# $\log_3 243 = 5$ exactly, but `math.log(243, 3)` is 4.999..., and `int()` of it silently drops a
# bracket; `hyperband_brackets` finds $s_{max}$ by multiplying integers.
#
# **The budgets as formulas.** With maximum budget $R$ (in units of the smallest budget) and
# reduction factor $\eta$, let $s_{max} = \lfloor \log_\eta R \rfloor$. Successive halving from $n$
# configurations runs rungs $i = 0, \dots, s$ with $n_i = \lfloor n/\eta^i \rfloor$ configurations at
# budget $r_i = R\,\eta^{i-s}$. If every rung trains from scratch it costs $\sum_i n_i r_i$, about
# $(s+1)\,n\,r_0$ (each rung costs about the same); if a promoted configuration **resumes** from its
# checkpoint, only $\sum_i n_i (r_i - r_{i-1})$ with $r_{-1} = 0$, about $n\,r_0\,(1 + s(\eta-1)/\eta)$.
# Hyperband's bracket $s$ starts $n_s = \lceil \frac{s_{max}+1}{s+1}\,\eta^s \rceil$ configurations at
# $r_0 = R\,\eta^{-s}$, so $n_s r_0 \approx \frac{s_{max}+1}{s+1} R$: from scratch each bracket costs about
# $(s_{max}+1) R$ and one round about $(s_{max}+1)^2 R$ (432 for $R = 27$, $\eta = 3$); resumed, bracket $s$
# costs about $\frac{s_{max}+1}{s+1} R\,(1 + s(\eta-1)/\eta)$ (a round of about 363). Exactly, for $R = 27$,
# $\eta = 3$:

# %%
# NBVAL_CHECK_OUTPUT
for name, resume in (("every rung from scratch", False), ("promoted configs resume", True)):
    costs = [tuning.rungs_cost(rungs, resume=resume) for rungs in tuning.hyperband_brackets(27, min_budget=1, eta=3)]
    print(f"{name:>24}: brackets cost {costs} epochs, one Hyperband round {sum(costs)}")

# %%
ax = plotting.brackets(brackets, title="Each bracket trades many cheap runs for few full ones")

# %% [markdown]
# Successive halving on the MLP: 27 configurations of (learning rate, momentum) from 1 epoch to 27,
# keeping a third at each rung; a promoted configuration continues its training run (the objective
# has a `resume`, and `train_mlp` continues from a checkpoint bit for bit), so the 27-epoch run of the
# winner costs 18 more epochs, not 27. Each line is one configuration; grey ones were stopped at once.

# %%
tune_space = tuning.Space(lr=tuning.LogUniform(1e-3, 1.0), momentum=tuning.Uniform(0.0, 0.99))
halving = tuning.successive_halving(objectives.mlp_validation_loss, tune_space, 27,
                                    min_budget=1, max_budget=27, eta=3, seed=0)
ax = halving.plot("rungs", title="Successive halving follows only the promising configurations")
print(halving)
print("rungs (configs, epochs):", halving.info["rungs"], "-> budget spent", halving.budget_spent, "epochs")

# %%
halving.table(limit=6, sort=True)

# %% [markdown]
# The same 81 epochs spent by random search on 3 configurations of 27 epochs (seed 0), against
# successive halving's spending:

# %%
random3 = tuning.random_search(objectives.mlp_validation_loss, tune_space, 3, budget=27, seed=0)
ax = plotting.best_so_far({"successive halving": halving, "random search, 3 x 27": random3},
                          title="Seed 0: successive halving gets lower with the same 81 epochs")
print(f"best at 81 epochs: successive halving {halving.best.score:.3f}, random search {random3.best.score:.3f}")

# %% [markdown]
# ### Exercise 5 · `halving_survivors(scores, eta)`
#
# One rung of successive halving: the indices of the `max(1, len(scores) // eta)` lowest scores,
# best first; a failed trial (NaN) ranks last.

# %%
check("ch4.halving_survivors")

# %% [markdown]
# Your `halving_survivors` on the first rung of the successive-halving run above (27 configurations
# after 1 epoch): when it is right, it keeps the same 9 configurations that `successive_halving`
# trained for 3 epochs, in the same order.

# %%
keep = yours_or_reference("ch4.halving_survivors", lambda scores, eta: [int(i) for i in np.argsort(
    np.where(np.isnan(scores), np.inf, scores), kind="stable")[: max(1, len(scores) // eta)]])
rung0 = [t for t in halving.trials if t.info["rung"] == 0]
kept = keep([t.score for t in rung0], 3)
trained = [t.info["config"] for t in halving.trials if t.info["rung"] == 1]
print(f"{keep.whose()} halving_survivors keeps configs {[rung0[i].info['config'] for i in kept]}")
print(f"successive_halving trained at 3 epochs {trained}")

# %% [markdown]
# **Asynchronous successive halving (ASHA).** On several workers, synchronous successive halving
# waits at the end of every rung for its slowest job. ASHA (Li et al. 2020) never waits: whenever a
# worker is free, it promotes a configuration scored at rung $k$ if it is among the best
# $\lfloor m_k/\eta \rfloor$ of the $m_k$ configurations completed at rung $k$ so far (top rung
# first), and otherwise starts a new configuration at rung 0. Early promotions rest on fewer
# comparisons, so ASHA sometimes promotes a configuration that synchronous halving would have stopped;
# in exchange no worker idles. The two schedules for the 27 configurations above on 4 workers, in
# simulated time (a job takes as long as the epochs it trains):

# %%
asha_study = tuning.asha(objectives.mlp_validation_loss, tune_space, 27, min_budget=1, max_budget=27, workers=4,
                         seed=0)
fig = plotting.timeline({"synchronous successive halving": tuning.halving_timeline(halving, workers=4),
                         "ASHA": asha_study.info["timeline"]},
                        title="ASHA keeps the workers busier; synchronous halving waits at each rung")
print(f"synchronous: {halving.budget_spent} epochs trained; ASHA: {asha_study.budget_spent} epochs, "
      f"best {asha_study.best.score:.3f} (synchronous: {halving.best.score:.3f})")

# %% [markdown]
# Here ASHA kept the 4 workers busy 74% of the time against 55%, but it finished no sooner (38 units
# of simulated time against 37): it spent the idle time on extra promotions, made on fewer
# comparisons (113 epochs trained against 81), and it found the same best configuration. Its gain grows
# with the number of workers and with jobs of unequal length, and when new configurations keep
# arriving; with a fixed set of 27, as here, neither schedule can end before the winner's chain of
# promotions, 1 + 2 + 6 + 18 = 27 units.

# %% [markdown]
# **Same budget, who wins?** On one seed either may win: what matters is the distribution over
# seeds. The comparison was run once, ahead of time, over 30 seeds by `make tuning-comparison`
# (`benchmarks/tuning_comparison.py`; it prints its cost, stored below, and writes
# `course/data/tuning_comparison.json`, which the cells below read) in a wider space: learning rate in
# $[10^{-4}, 10]$, momentum, and weight decay in $[10^{-6}, 10^{-1}]$. Every strategy gets about 360
# epochs, the price of one full Hyperband round for budgets 1 to 27 with resumed configurations.
# Each search chooses on the **validation** split; its chosen configuration is then retrained at 27
# epochs with 3 fresh seeds and scored on the **test** split, which no search ever saw: the mean of the
# three test losses is the search's result for that seed *(claim C40)*. The 95% intervals are
# percentile bootstraps of the median over the 30 seeds.

# %%
# NBVAL_CHECK_OUTPUT
stored = json.loads(Path("data/tuning_comparison.json").read_text())
print(f"stored comparison: {stored['seeds']} seeds, made in {stored['cpu_seconds'] / 60:.0f} minutes of CPU time "
      f"({stored['seconds'] / 60:.0f} minutes on {stored['workers']} shared cores)")
def finals(name):
    return np.array([r["test"] for r in stored["rows"] if r["strategy"] == name])
from scipy import stats
rs = finals("random 13 @27")
for name in ("random 13 @27", "successive halving 120 @1..27", "hyperband @1..27"):
    v = finals(name)
    med, low, high = compare.median_interval(v)
    print(f"{name:>30}: median test loss {med:.3f} [{low:.3f}, {high:.3f}], seeds above 0.2: {np.sum(v > 0.2)} of {v.size}")
for name in ("successive halving 120 @1..27", "hyperband @1..27"):
    v = finals(name)
    low, high = compare.told_apart(v, rs)
    superiority = np.mean(v[:, None] < rs[None, :])          # P(a seed of this search beats one of random's)
    tail = stats.fisher_exact([[np.sum(v > 0.2), v.size - np.sum(v > 0.2)], [np.sum(rs > 0.2), rs.size - np.sum(rs > 0.2)]])
    print(f"{name}: median - random's median in [{low:+.3f}, {high:+.3f}] (95%); beats a random-search seed with "
          f"probability {superiority:.2f} (Mann-Whitney p = {stats.mannwhitneyu(v, rs, alternative='less').pvalue:.3f}); "
          f"fewer seeds above 0.2: Fisher p = {tail.pvalue:.3f}")

# %% [markdown]
# At equal budget, both halving schemes end lower than random search with full-budget trials on the
# median (0.099 and 0.109 against 0.140). A seed of successive halving beats a seed of random search
# with probability 0.70 (Hyperband: 0.67), and both rank tests come out below 0.05. The tails say the
# same: random search with 13 trials sometimes draws no good configuration at all (8 of its 30 seeds end
# above 0.2), while successive halving, which has looked at 120, never does (0 of 30, Fisher p = 0.005);
# Hyperband's 2 of 30 is not significantly fewer. The medians themselves cannot be told apart at the
# 95% level with 30 seeds: the intervals of their differences reach just past zero (upper ends +0.003
# and +0.006). Section 9 puts every strategy side by side.
#
# The notebook re-runs one stored row to show that it is reproducible (same seed, same trials, same
# retrained test score):

# %%
# NBVAL_CHECK_OUTPUT
row = compare.run_strategy("successive halving 120 @1..27", seed=0)
saved = next(r for r in stored["rows"] if r["strategy"] == row["strategy"] and r["seed"] == 0)
print(f"seed 0 now: {row['test']:.6f}; stored: {saved['test']:.6f}; same config: {row['config'] == saved['config']}")

# %% [markdown]
# ## 5. Evolution with tournament selection
#
# An evolutionary search keeps a **population** of configurations. Each generation, parents are
# chosen by **tournament**: draw $k$ distinct individuals at random, keep the one with the lowest
# score. Children mix two parents' hyperparameters and mutate them a little (Gaussian noise in the
# unit cube of the space); the best individual survives unchanged (elitism). A tournament needs
# only the *ranking* of scores, so it is robust to their scale. With $n$ individuals ranked
# $r = 0$ (best) to $n - 1$, rank $r$ wins with probability $\binom{n-1-r}{k-1}/\binom{n}{k}$:

# %%
# NBVAL_CHECK_OUTPUT
from scipy.special import comb
n, k = 8, 3
scores8 = np.arange(n, dtype=float)                      # rank r has score r
rng = np.random.default_rng(0)
wins = np.bincount([tuning.tournament_select(scores8, k, rng) for _ in range(20000)], minlength=n) / 20000
theory = np.array([comb(n - 1 - r, k - 1) / comb(n, k) for r in range(n)])
print("rank:      ", "  ".join(f"{r:>5}" for r in range(n)))
print("measured:  ", "  ".join(f"{w:5.3f}" for w in wins))
print("theory:    ", "  ".join(f"{p:5.3f}" for p in theory))

# %% [markdown]
# ### Exercise 6 · `tournament_select(scores, k, seed)`
#
# Draw the k distinct contenders exactly as the docstring says, and return the index (into `scores`)
# of the one with the lowest score.

# %%
check("ch4.tournament_select")

# %% [markdown]
# The tournament's win probabilities again, measured with your `tournament_select` over 4000 seeds: when
# it is right, the bars follow the theory, about 0.375 for the best rank and 0 for the last two.

# %%
pick = yours_or_reference("ch4.tournament_select",
                          lambda scores, k, seed: tuning.tournament_select(scores, k, np.random.default_rng(seed)))
wins_yours = np.bincount([pick(scores8, k, seed) for seed in range(4000)], minlength=n) / 4000
fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.bar(np.arange(n), wins_yours, alpha=0.7, label=f"{pick.whose()} tournament_select, 4000 seeds")
ax.plot(np.arange(n), theory, "ko--", ms=4, label="theory $\\binom{n-1-r}{k-1}/\\binom{n}{k}$")
ax.set(xlabel="rank r of the individual (0 = best)", ylabel="probability of winning",
       title=f"{pick.whose().capitalize()} tournaments of 3 among 8 favour the best ranks")
ax.legend();

# %% [markdown]
# Evolving 8 configurations of the MLP (3 epochs each) for 6 generations, seed 0 *(claim C41)*:

# %%
evolved = tuning.evolutionary_search(objectives.mlp_validation_loss, tune_space, population=8,
                                     generations=6, tournament=3, budget=3, seed=0)
fig, ax = plt.subplots(figsize=(5.5, 3.4))
ax.plot(evolved.info["best"], "o-", label="best (elite included)")
ax.plot(evolved.info["median"], "s--", label="median of the new generation")
ax.set(xlabel="generation", ylabel="validation loss (3 epochs)", yscale="log",
       title="Seed 0: the best improves or holds; the median wanders")
ax.xaxis.get_major_locator().set_params(integer=True)
ax.legend()
print(evolved, "| median per generation:", np.round(evolved.info["median"], 3))

# %% [markdown]
# The best score never gets worse: the elite survives by construction. The median is another matter:
# on seed 0 it falls, then climbs back (mutation keeps exploring, and every score is noisy). Whether
# the *population* improves is a question for several seeds: the same search with seeds 0 to 5.

# %%
# NBVAL_CHECK_OUTPUT
first, later, rises = [], [], 0
for seed in range(6):
    run = tuning.evolutionary_search(objectives.mlp_validation_loss, tune_space, population=8, generations=6,
                                     tournament=3, budget=3, seed=seed)
    med = np.array(run.info["median"])
    first.append(med[0]); later.append(med[-3:].mean()); rises += np.any(np.diff(med) > 0)
    assert np.all(np.diff(run.info["best"]) <= 0)          # the elite: never worse
first, later = np.array(first), np.array(later)
print(f"median of generation 0: {np.round(first, 3)}")
print(f"mean median of the last 3 generations: {np.round(later, 3)}")
print(f"lower later on {np.sum(later < first)} of 6 seeds (by {np.min(first - later):.3f} to "
      f"{np.max(first - later):.3f}); the median rose again at least once on {rises} of 6 seeds")

# %% [markdown]
# So the robust statement is the one *(claim C41)* makes: the best never gets worse, and the later
# generations sit lower than the first (here on every seed), but a generation's median can rise
# above the one before it; a single seed's curve says little about the next generation.
#
# *Question.* Tournament selection with $k = 1$, and with $k = n$: what search does each become?
#
# ## 6. Noisy scores: accept an improvement only when it is real
#
# Section 1 showed one configuration's validation loss varying from seed to seed. A search that
# replaces its incumbent whenever a new configuration's *mean* score is lower will, when the two are
# equally good, switch half the time: a **phantom improvement**. The remedy is a statistical decision:
# score each configuration with several seeds, and accept the new one only if the upper end of a
# one-sided confidence interval for $\bar s_{new} - \bar s_{best}$ is below zero (Welch's $t$ interval:
# $\bar s_{new} - \bar s_{best} + t_{0.95,\nu}\sqrt{s^2_{new}/n_{new} + s^2_{best}/n_{best}} < 0$, with
# the Welch-Satterthwaite degrees of freedom $\nu = (a+b)^2 / \big(a^2/(n_{new}-1) + b^2/(n_{best}-1)\big)$,
# $a = s^2_{new}/n_{new}$, $b = s^2_{best}/n_{best}$).
#
# With a known noise (two equally good configurations, 5 seeds each, Gaussian noise of 0.1,
# 2000 repetitions) *(claim C42)*:

# %%
# NBVAL_CHECK_OUTPUT
naive_rate, ci_rate = experiments.phantom_improvements(trials=2000, repeats=5, noise=0.1, level=0.95, seed=0)
print(f"naive 'lower mean wins' accepts {naive_rate:.1%} of phantom improvements (theory: 50%)")
print(f"95% confidence rule accepts     {ci_rate:.1%} of phantom improvements (theory: 5%)")

# %% [markdown]
# Inside a search: a surrogate model (kernel ridge regression on the scores seen so far) proposes the
# configuration it predicts best; it is scored 3 times and replaces the incumbent by the naive rule
# or by the confidence rule. The objective `noisy_bowl` has a known noiseless value, so we can count
# the accepted changes that were not real improvements (20 searches of 15 proposals each; both rules see
# the same proposals and scores, since the surrogate's proposals do not depend on the incumbent: only the
# configuration they accept differs):

# %%
# NBVAL_CHECK_OUTPUT
bowl_space = tuning.Space(x=tuning.Uniform(0.0, 1.0), y=tuning.Uniform(0.0, 1.0))
for rule in ("naive", "confident"):
    accepted = phantom = 0
    final = []
    for seed in range(20):
        study = tuning.surrogate_search(objectives.noisy_bowl, bowl_space, 15, budget=1, repeats=3,
                                        rule=rule, seed=seed)
        inc = study.info["incumbents"]
        changes = [(a, b) for a, b in zip(inc, inc[1:]) if a != b]
        accepted += len(changes)
        phantom += sum(objectives.bowl(b) >= objectives.bowl(a) for a, b in changes)
        final.append(objectives.bowl(inc[-1]))
    print(f"{rule:>9} rule: {accepted} accepted changes, {phantom} of them not real improvements; "
          f"true value of the final incumbent, mean over 20: {np.mean(final):.4f}")

# %% [markdown]
# The confidence rule almost never moves to a configuration that is not truly better. It pays for it
# with power: it also turns down small real improvements that 3 noisy scores cannot establish, so here
# its final incumbents end up *worse* than the naive rule's (compare the last numbers). More
# repeats per configuration, or a lower level, buy power back; the rule makes that trade explicit
# instead of leaving it to chance.
#
# ### Exercise 7 · `confident_improvement(scores_new, scores_best, level=0.95)`
#
# Welch's one-sided interval, as in the formula above (the docstring spells out the degrees of
# freedom). The check includes a lower mean that noise explains, and only 3 scores per side.

# %%
check("ch4.confident_improvement")

# %% [markdown]
# The phantom-improvement experiment again with your rule (2000 pairs of 5 scores, noise 0.1), and the
# same with a real improvement of 0.1: when it is right, it accepts about 5% of the phantoms and
# about 40% of the real ones (5 scores a side cannot establish more).

# %%
confident = yours_or_reference("ch4.confident_improvement", lambda new, best, level=0.95:
                               tuning.confident_improvement(new, best, level=level))
noise = np.random.default_rng(0).normal(0.0, 0.1, size=(2000, 2, 5))
phantom_rate = np.mean([confident(new, best) for new, best in noise])
real_rate = np.mean([confident(new - 0.1, best) for new, best in noise])
print(f"{confident.whose()} confident_improvement accepts {phantom_rate:.1%} of phantom improvements "
      f"(theory: 5%) and {real_rate:.1%} of real improvements of one noise sd")

# %% [markdown]
#
# ## 7. Replica exchange: hot replicas explore, cold ones exploit
#
# Some landscapes have many local minima: here Rastrigin's function in 2-D, whose global minimum 0 is
# at the origin and whose nearest local minima, near (±1, 0) and (0, ±1), have energy about 0.995. A Metropolis random walk at
# temperature $T$ accepts an uphill move of $\Delta E$ with probability $e^{-\Delta E/T}$: a cold walker
# stays in its basin, a hot one wanders. **Replica exchange** (parallel tempering) runs $R$ walkers at
# temperatures $T_1 < \dots < T_R$ and, after every sweep, lets neighbours swap their states with
# probability $\min\!\big(1, e^{(\beta_i - \beta_j)(E_i - E_j)}\big)$, $\beta = 1/T$ *(claim C43)*. The
# rule keeps each temperature's Boltzmann distribution exact, and it always hands a lower energy to
# the colder replica:

# %%
# NBVAL_CHECK_OUTPUT
b_cold, b_hot = 1 / 0.3, 1 / 10.0
print("cold replica at E = 5, hot one found E = 1: swap probability", tuning.swap_probability(b_cold, b_hot, 5.0, 1.0))
print("cold replica at E = 1, hot one at E = 5:    swap probability",
      round(tuning.swap_probability(b_cold, b_hot, 1.0, 5.0), 6), "= exp(-(1/0.3 - 1/10) * 4)")

# %% [markdown]
# Equal budget: 6 walkers for 300 sweeps each (1806 energy evaluations), from the corner (3, 3),
# over 50 seeds. Replica exchange uses temperatures from 0.3 to 10; the single-temperature baseline
# runs 6 independent walkers at 0.3; simulated annealing cools 6 walkers from 10 to 0.3. All use the
# same proposal step, $0.4\sqrt{T/0.3}$. Success: the lowest energy any walker has seen is in the global
# basin (< 0.5).

# %%
# NBVAL_CHECK_OUTPUT
success = experiments.tempering_success(seeds=range(50), steps=300)
for name, rate in success.items():
    print(f"{name:>18}: global basin found on {rate:.0%} of 50 seeds")
hits = {name: round(rate * 50) for name, rate in success.items()}
for other in ("single temperature", "annealing"):
    p = stats.fisher_exact([[hits["replica exchange"], 50 - hits["replica exchange"]],
                            [hits[other], 50 - hits[other]]]).pvalue
    print(f"replica exchange vs {other}: Fisher's exact test p = {p:.2g}")

# %%
from coursekit import functions
rastrigin, T = functions.MultiModal(dim=2), experiments.TEMPERATURES
runs = {"replica exchange": tuning.replica_exchange(rastrigin.value, np.full(2, 3.0), temperatures=T, steps=300,
                                                    step_size=0.4 * np.sqrt(T / T[0]), seed=3),
        "single temperature 0.3": tuning.replica_exchange(rastrigin.value, np.full(2, 3.0), temperatures=np.full(6, T[0]),
                                                          steps=300, step_size=0.4, seed=3, exchange=False)}
ax = plotting.tempering(runs, threshold=0.5, title="Seed 3: only replica exchange reaches the global basin")
print("swap acceptance between neighbours:", np.round(runs["replica exchange"].swap_rate, 2))

# %% [markdown]
# **How the ladder matters.** Each row below runs replica exchange with a geometric ladder from 0.3 up
# to $T_{\max}$ over 20 seeds (300 sweeps from (3, 3)), and at the same budget as many walkers held at
# 0.3 without swaps; it counts the seeds on which the best energy reached the global basin.

# %%
# NBVAL_CHECK_OUTPUT
from coursekit.widgets.tempering import TemperingExplorer, explore_tempering

ladders = TemperingExplorer()
for t_max, replicas in [(0.5, 6), (10.0, 6), (100.0, 2), (100.0, 12)]:
    runs = [list(ladders.run(t_max=t_max, replicas=replicas, seed=s).values()) for s in range(20)]
    found = sum(ex.best_energy < 0.5 for ex, _ in runs)
    cold = sum(walkers.best_energy < 0.5 for _, walkers in runs)
    swaps = np.mean([np.nanmean(ex.swap_rate) for ex, _ in runs])
    print(f"T up to {t_max:>5}, {replicas:>2} replicas: global basin on {found:>2} of 20 seeds "
          f"(cold walkers: {cold:>2}), mean swap acceptance {swaps:.2f}")

# %% [markdown]
# A ladder that stops at $T = 0.5$ has no hot replica to carry states over the ridges: it finds the
# global basin on 3 of 20 seeds, hardly more than the cold walkers' 1. Up to $T = 10$ with 6 replicas:
# 16 of 20. Up to $T = 100$ with only 2 replicas the neighbours are so far apart that swaps are almost
# never accepted (1%), and it finds the basin on 4 seeds; 12 replicas over the same range swap 65% of
# the time and find it on 18, with twice as many energy evaluations per sweep as 6 replicas. So the hottest temperature must be
# hot enough to cross the ridges, and the rungs close enough for swaps to pass.
#
# **An explorer.** Move the sliders (hottest temperature, number of replicas, seed): each move reruns
# both searches for one seed and redraws the lowest energy found per sweep and where the walkers ended.

# %%
explore_tempering(t_max=10.0, replicas=6, seed=3)

# %% [markdown]
# ### Exercise 8 · `swap_probability(beta_i, beta_j, E_i, E_j)`
#
# The swap rule, for numbers or arrays of pairs. Mind the sign: the colder replica (larger $\beta$)
# must always accept a lower energy.

# %%
check("ch4.swap_probability")

# %% [markdown]
# Your `swap_probability` on arrays: the coldest replica (T = 0.3) against each of the others, as a
# function of the energy it holds minus theirs; when it is right, every curve is 1 on the right (the
# colder replica takes a lower energy) and falls faster on the left the hotter the partner.

# %%
swap = yours_or_reference("ch4.swap_probability", tuning.swap_probability)
dE = np.linspace(-3, 3, 121)
ax = plt.figure(figsize=(5.5, 3.4)).add_subplot()
for T_hot in T[1:]:
    ax.plot(dE, swap(1 / T[0], 1 / T_hot, dE, 0.0), label=f"T = {T[0]:g} with T = {T_hot:.3g}")
ax.set(xlabel="$E_{cold} - E_{hot}$", ylabel="swap probability",
       title=f"{swap.whose().capitalize()} swap_probability gives the cold replica the lower energy")
ax.legend(fontsize="small");

# %% [markdown]
# Annealing with the same temperatures comes close (68% against 72%, 2 seeds in 50: a difference
# these runs cannot tell from chance, p = 0.83 above): it, too, starts hot. The walkers that stay cold all the time
# do move downhill from basin to basin (on seed 3 above, from E = 18 at (3, 3) to about 2), but they
# reach the global basin on only 4% of the seeds. Replica exchange keeps every temperature
# busy at once, which also makes it easy to run in parallel, one replica per worker.
#
# *Question.* What happens to the swap acceptance rates if the temperatures are spread further apart?
# And to the cost, if they are packed closer?
#
# ## 8. A debugging checklist: read the curve, turn the right knob
#
# Many "the model does not learn" reports are optimization problems *(claim C44)*. Before touching the
# architecture, go down this list; each question is answered by the training curve (the loss of every
# mini-batch step, and the gradient norm), in this order:

# %%
for knob, advice in tuning.CHECKLIST.items():
    print(f"{knob:>14}: {advice}")
print(inspect.getsource(tuning.diagnose))

# %% [markdown]
# Four deliberately broken runs of the MLP (12 epochs each; the defaults are SGD, lr 0.1, momentum
# 0.9, batches of 32), each diagnosed from its own curve by `diagnose`, then fixed by turning only the
# knob the diagnosis names:

# %%
# NBVAL_CHECK_OUTPUT
curves = {}
for name, (broken, fixed) in tuning.BROKEN_RUNS.items():
    curves[name] = {}
    for label, config in (("broken", broken), ("fixed", fixed)):
        _, _, c = objectives.train_mlp(config, 12, seed=0, record=True)
        curves[name][label] = c
        verdict = tuning.diagnose(c["steps"], c["grad_norm"], 12)
        val = f"{c['val'][-1]:.3f}" if len(c["val"]) == 12 and math.isfinite(c["val"][-1]) else "n/a"
        print(f"{label:>6} {str(config):<42} diagnosis: {verdict:<13} validation loss {val}")

# %%
fig = plotting.training_curves(curves, title="Each broken run (red) shows its fault in its curve; "
                                             "turning the one knob named fixes it (blue)")

# %% [markdown]
# How to read them: the learning-rate run jumps to a loss about $10^5$ times its start within its
# first 3 steps; the loss run (a weight penalty 0.5 that dominates the objective) converges quickly,
# with a vanishing gradient, to a flat, high loss; the batch-noise run (batches of 4 at lr 0.1) jumps around
# by more than it ever improves; the optimizer run (plain SGD at lr 0.01) is smooth but slow. The
# checklist's order matters: noise and divergence look alike at first sight, and a diverging run
# also ends with a small gradient once its units die.
#
# **Does the checklist work on runs it was not tuned on?** Its thresholds were set on the four runs
# above and on four runs an earlier version misread (lr 1 and lr 3, which knock the network to a flat
# loss near chance, $\ln 3$; a run that converged to a low loss, which a vanished gradient alone
# called "the objective is wrong"; and a run whose validation loss climbed late). `HELD_OUT_RUNS` are
# fifteen other runs, written down before the rules were checked on them, each labelled by how it was
# built (the knob broken, or healthy), three seeds each:

# %%
# NBVAL_CHECK_OUTPUT
rows, right = [], 0
for label, config in tuning.HELD_OUT_RUNS:
    verdicts = []
    for seed in range(3):
        _, _, c = objectives.train_mlp(config, 12, seed=seed, record=True)
        verdicts.append(tuning.diagnose(c["steps"], c["grad_norm"], 12))
    right += sum(v == label for v in verdicts)
    rows.append({"built as": label, "config": str(config), "diagnoses, seeds 0 1 2": ", ".join(verdicts)})
print(f"{right} of {3 * len(tuning.HELD_OUT_RUNS)} held-out runs diagnosed as built")
tuning.Table(rows)

# %% [markdown]
# 43 of 45. Both misses are runs broken by a too-large learning rate: lr 2 on seed 1 ends with a
# vanished gradient at a high loss (read as "loss"), and lr 0.5 with momentum 0.99 on seed 2 jumps
# around (read as "batch noise"). A too-large learning rate can look like any later item of the list,
# which is why the list asks about it first, and why a diagnosis is a place to start, not a verdict.
# No healthy run was flagged and no dominating penalty was missed.
#
# The checklist reads the training curve; the validation curve answers one more question, and shows
# a trap. With `val`, `diagnose` calls a run "overfitting" when its validation loss ends at 1.5 times
# its lowest value or more *while the training loss did not rise*. A rising validation loss alone is
# not enough. The default configuration (seed 0) trained for 40 epochs instead of 12:

# %%
# NBVAL_CHECK_OUTPUT
_, _, long_run = objectives.train_mlp({}, 40, seed=0, record=True)
val = np.array(long_run["val"])
train_epoch = np.array(long_run["steps"]).reshape(40, -1).mean(axis=1)
best = int(val.argmin())
print(f"validation loss: lowest {val[best]:.3f} after epoch {best + 1}, last {val[-1]:.3f}")
print(f"training loss (mean over an epoch's steps): {train_epoch[best]:.3f} at epoch {best + 1}, "
      f"{train_epoch[-1]:.3f} at the last")
print("diagnosis with the validation curve:", tuning.diagnose(long_run["steps"], long_run["grad_norm"], 40, val=val))

# %% [markdown]
# Its validation loss ends at three times its lowest, but its training loss rose as well: this is
# not overfitting, it is the noise of SGD at a constant lr 0.1 with momentum 0.9, which keeps the
# weights moving around the minimum (both losses jump from epoch to epoch), and `diagnose` does not
# call it overfitting. Lowering the learning rate late in training (a schedule, chapter 2) is the
# remedy; early stopping on the best validation epoch helps in both cases. (On this data set and
# budget the chapter's network hardly overfits; the rule is tested on a synthetic curve.)
#
# *Question.* Why is the checklist's order (learning rate first) the right one? Think of a run with a
# too-large learning rate: what would the later questions say about it?
#
# ## 9. All strategies at one budget, and Optuna
#
# [Optuna](https://optuna.org)'s default sampler is TPE. **TPE** (tree-structured
# Parzen estimator, Bergstra et al. 2011) turns the question around: instead of modelling the score as a
# function of the configuration, it splits the trials seen so far at a quantile $y^\ast$ of their
# scores (the best $\gamma$ fraction: 0.25 here, hyperopt's default; Optuna's default takes the best
# 10%, at most 25 trials) and fits a density to each group,
# $\ell(x) = p(x \mid y < y^\ast)$ for the good trials and $g(x) = p(x \mid y \ge y^\ast)$ for the
# others. The expected improvement over $y^\ast$ is proportional to
# $\big(\gamma + (1-\gamma)\, g(x)/\ell(x)\big)^{-1}$, so TPE draws candidates from $\ell(x)$ and proposes
# the one with the largest ratio $\ell(x)/g(x)$: where good trials are dense and bad ones rare (the
# picture takes the largest ratio over a fine grid instead of over drawn candidates). One dimension of it, drawn from
# the 30 random trials of section 3 (seed 1), on the learning rate's log scale (`tuning.tpe_densities`
# draws the idea; Optuna adds bandwidth rules, a prior and more):

# %%
study1 = imp["studies"][0]
u_lr = [sens_space.dimensions["lr"].to_unit(t.config["lr"]) for t in study1.ok_trials]
dens = tuning.tpe_densities(u_lr, [t.score for t in study1.ok_trials], gamma=0.25)
ax = plotting.tpe(dens, title="TPE proposes the learning rate where good trials are dense and bad ones rare")
print(f"good trials: score below {dens['threshold']:.3f}; proposal at unit coordinate {dens['proposal']:.2f}, "
      f"lr = {sens_space.dimensions['lr'].from_unit([dens['proposal']])[0]:.3g}")

# %% [markdown]
# The same objective, space and budget go through `tuning.optuna_search`, alone (40 trials of 9 epochs;
# the first 10 are random, Optuna's default `n_startup_trials`) and with Optuna's own Hyperband pruner
# (each trial one training run of up to 27 epochs, reported after every epoch, stopped when the pruner
# says so). The table gives, for each strategy, the median test loss of its chosen configuration over
# 30 seeds with its 95% bootstrap interval, the epochs it spent and, for the pruner, how many trials it
# stopped; the settings of every row follow.

# %%
table = tuning.Table({"strategy": r["strategy"], "median test loss": r["median"],
                      "95% interval": f"[{r['ci low']:.3f}, {r['ci high']:.3f}]",
                      "epochs spent (mean)": r["mean spent"],
                      "trials pruned (mean)": r["mean pruned"]} for r in stored["summary"])
for name, words in stored["settings"].items():
    print(f"{name:>30}: {words}")
table

# %%
# NBVAL_CHECK_OUTPUT
results = {name: finals(name) for name in stored["settings"]}
order = sorted(results, key=lambda name: np.median(results[name]))
best_name = order[0]
print(f"lowest median: {best_name} ({np.median(results[best_name]):.3f})")
for name in order[1:]:
    low, high = compare.told_apart(results[name], results[best_name])
    verdict = "cannot be told apart" if low <= 0 else "worse"
    print(f"{name:>30} - {best_name}: [{low:+.3f}, {high:+.3f}] -> {verdict}; worst seed {results[name].max():.3f}")
pruner = [r for r in stored["rows"] if r["strategy"] == "optuna TPE + hyperband pruner"]
print("the grid's chosen configs over the seeds:", {tuple(sorted(r["config"].items())) for r in stored["rows"]
                                                     if r["strategy"] == "grid 3x2x2 @27"})
print(f"Optuna's pruner stopped {np.mean([r['pruned'] for r in pruner]):.1f} of "
      f"{np.mean([r['trials'] for r in pruner]):.1f} trials per search on average")

# %%
intervals = {r["strategy"]: (r["ci low"], r["ci high"]) for r in stored["summary"]}
ax = plotting.comparison({name: results[name] for name in order}, intervals=intervals,
                         title="Only the grid is clearly worse; no other median can be told from the lowest at 30 seeds",
                         ylabel="test loss (27 epochs, mean of 3 seeds)")
ax.set_yscale("log")

# %% [markdown]
# What the comparison supports, with its conditions (30 seeds, at most 360 epochs, a 3-hyperparameter
# space in which most learning rates are bad): only the grid is worse than the lowest median at the 95%
# level. Its 12 fixed points (324 epochs) always lead it to the same configuration, lr = 0.0316 (printed
# above): about the range test's cautious suggestion of section 3, slow at 27 epochs, and the same on
# every seed, hence its interval of zero width. No other strategy can be told apart from the lowest
# median, successive halving's 0.099 (each interval is a 95% one on its own; the strategy compared
# against was picked as the lowest after the fact, so a difference just past zero would deserve
# suspicion, and none of them shows one): Optuna with its pruner (0.107) and Hyperband (0.109) come
# closest, and random search with 13 full-budget trials comes nearest to being separated (the lower
# end of its interval is -0.003). The tails differ more than the medians: successive halving's worst
# seed is 0.176 and Optuna-with-pruner's 0.223, while random search over 40 short trials once kept a
# configuration at 1.058, and over 13 full trials one at 0.593. The two surrogate rows see the same
# trials and differ only in the configuration retrained: the confidence rule's median 0.120 against
# the naive rule's 0.127, not distinguishable. Optuna's pruner, now resuming its runs, stops about 23
# of 34 trials per search; TPE over 40 trials of 9 epochs (0.133) did not beat random search over the
# same 40 (0.116). None of these rankings is universal: they depend on how early a configuration can
# be judged and on how noisy one score is.
#
# **How many trials are enough?** The stored file also holds 256 random configurations of the same
# space, each trained once for 27 epochs and scored on validation and test. Drawing $n$ of them (with
# replacement, 2000 times), keeping the one with the lowest validation loss and reading its test loss
# shows what random search buys per trial:

# %%
# NBVAL_CHECK_OUTPUT
pool_val = [r["val"] for r in stored["pool"]]
pool_test = [r["test"] for r in stored["pool"]]
curve = compare.best_of_n(pool_val, pool_test, sizes=[1, 2, 4, 8, 16, 32, 64])
for n, (med, q10, q90) in curve.items():
    print(f"best of {n:>2}: median test loss {med:.3f} (10% to 90%: {q10:.3f} to {q90:.3f})")

# %%
ax = plotting.best_of_n(curve, title="Each doubling of the trials buys less")

# %% [markdown]
# A single random configuration is usually bad (median test loss 0.777; a constant prediction scores
# ln 3 = 1.10); 4 trials bring
# the median to 0.181, 8 to 0.101, 16 to 0.075, and from 32 to 64 it barely moves (0.064 to 0.063) while
# the spread keeps narrowing. Most of what random search can find here, it finds in the first few dozen
# trials; more trials mainly protect against a bad draw. (Each trial is scored with its own run here,
# not retrained, and the draws come from a fixed pool of 256, so these numbers run a little lower and
# narrower than a fresh search's.)
#
# ## 10. Scaling out: a process pool, then a cluster
#
# Trials are independent, so they parallelize. Every search takes an `executor`, any
# `concurrent.futures.Executor`; all randomness is drawn in the parent before anything is submitted,
# and results are collected in submission order, so the same seed gives the same trials on any
# executor. The objective must be a module-level function so that worker processes can import it.
# Serial against a pool of 2 processes on this machine (16 trials of 27 epochs; the pool's start-up
# is included; BLAS pinned to one thread, so that the two workers do not fight over the cores with
# BLAS's own threads; these are wall-clock times, which on the shared machine that built the notebook
# run several times the CPU time of section 1's trial). Expect at most 2x with 2 workers, and less when the trials are short or the cores
# are shared with other work: with trials as short as section 1's, the pool's start-up can eat the
# whole gain and leave a speed-up below 1x (the committed outputs come from a shared build machine:
# rerun the cells on yours).

# %%
# NBVAL_CHECK_OUTPUT
from concurrent.futures import ProcessPoolExecutor
def one_blas_thread():
    threadpool_limits(1)
with threadpool_limits(1):
    start = time.perf_counter()
    serial = tuning.random_search(objectives.mlp_validation_loss, tune_space, 16, budget=27, seed=5)
    t_serial = time.perf_counter() - start
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, initializer=one_blas_thread) as pool:
        pooled = tuning.random_search(objectives.mlp_validation_loss, tune_space, 16, budget=27, seed=5,
                                      executor=pool)
    t_pool = time.perf_counter() - start
print("same trials and scores:", [(t.config, t.score) for t in serial.trials] == [(t.config, t.score) for t in pooled.trials])

# %%
print(f"serial {t_serial:.2f} s, pool of 2 {t_pool:.2f} s: speed-up {t_serial / t_pool:.2f}x")

# %% [markdown]
# **On a Dask cluster** the only change is the executor. On a laptop, `LocalCluster` starts worker
# processes; on a real cluster you connect to its scheduler instead (or start workers with
# `dask-jobqueue` on SLURM / PBS, or `dask-kubernetes`):
#
# ```python
# from dask.distributed import Client, LocalCluster
#
# with LocalCluster(n_workers=2, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
#     study = tuning.hyperband(objectives.mlp_validation_loss, tune_space, min_budget=1, max_budget=27,
#                              seed=0, executor=client.get_executor())
# # a real cluster:  client = Client("tcp://scheduler-address:8786")
# ```
#
# This cell is not executed here: it starts a scheduler and worker processes, which would cost this
# notebook more than all its searches. The test suite runs it (`tests/test_tuning_parallel.py`
# checks that serial, process-pool and Dask runs give identical trials). What changes on a real
# cluster: the workers must have the same environment (the package and the data), the objective
# travels by name, so it must be importable there; the data should be loaded (or generated) on the
# workers rather than shipped with every task; and a trial that takes seconds amortizes the
# scheduling cost (Dask's best-practices page puts it at 200 microseconds to 1 ms per task), a trial of
# a few milliseconds does not: group them.
#
# ## 11. On a GPU: a sweep as one array computation
#
# When one "trial" is small, the fastest way to run many is not many processes but one array
# computation. `tuning.batched_sweep` trains R configurations (learning rate, momentum) of heavy-ball
# SGD on one least-squares problem at once: the parameters are an (R, d) matrix, `optim.SGD` takes
# `lr` and `momentum` of shape (R, 1), and all gradients come from one matrix product. With a GPU,
# one line runs 100,000 configurations:
#
# ```python
# import cupy; lrs, momenta, losses, seconds = tuning.batched_sweep(100_000, steps=100, xp=cupy)
# ```
#
# Without a GPU, a reduced run on NumPy, against a loop of single runs:

# %%
# NBVAL_CHECK_OUTPUT
with threadpool_limits(1):                # timings below: one BLAS thread, so that a busy machine does not skew them
    lrs, momenta, losses, seconds = tuning.batched_sweep(1_000, steps=100)
best = np.nanargmin(losses)
print(f"best of 1,000: lr {lrs[best]:.3g}, momentum {momenta[best]:.2f}, loss {losses[best]:.4f}; "
      f"{np.isnan(losses).sum()} diverged")

# %%
with threadpool_limits(1):
    loop = np.median([tuning.batched_sweep(1, steps=100, seed=0)[3] for _ in range(10)])   # a busy moment skews a mean
print(f"NumPy: 1,000 configurations in one batch: {seconds:.2f} s; one at a time: ~{loop * 1000:.1f} s "
      "(the median of 10 single runs, times 1,000)")
if backend.gpu_available():
    import cupy
    gpu_losses = tuning.batched_sweep(1_000, steps=100, xp=cupy)[2]
    both = np.isfinite(losses) & np.isfinite(gpu_losses)
    print(f"GPU and NumPy: the same {both.sum()} converged runs, largest relative difference "
          f"{np.max(np.abs(gpu_losses[both] / losses[both] - 1)):.1e}; diverged on both: "
          f"{bool(np.all(np.isnan(gpu_losses) == np.isnan(losses)))}")
    gpu_seconds = tuning.batched_sweep(100_000, steps=100, xp=cupy)[3]
    print(f"GPU (CuPy): 100,000 configurations, 100 steps each, in {gpu_seconds:.2f} s")
else:
    print(f"No GPU here ({backend.gpu_unavailable_reason()}): the CuPy run is skipped.")

# %% [markdown]
# ## 12. Exercises: the whole chapter
#
# The eight exercises above; grade them together, with the same score an instructor's grader gives,
# by `python -m coursekit.grade exercises/ --chapter 4` in a terminal (or `check("ch4")` here):
#
# 1. `grid_configs(axes)`: every combination of a few values per hyperparameter (section 1).
# 2. `search_loop(objective, configs, budget, seeds)`: the outer loop, surviving crashed and NaN trials.
# 3. `log_uniform(low, high, n, seed)`: sample a learning rate on its natural scale.
# 4. `suggest_lr(lrs, smoothed)`: the range test's rule.
# 5. `halving_survivors(scores, eta)`: one rung of successive halving (scores are losses!).
# 6. `tournament_select(scores, k, seed)`: the best of k distinct random individuals.
# 7. `confident_improvement(scores_new, scores_best, level)`: accept only real improvements.
# 8. `swap_probability(beta_i, beta_j, E_i, E_j)`: replica exchange's swap rule.


# %% [markdown]
# ## Summary
#
# - Tuning is an optimization loop around training that sees only validation scores; the test set
#   stays out of it, because selecting on a noisy score makes that score optimistic.
# - With a fixed budget, random search beats a grid on average when few hyperparameters matter;
#   the learning rate usually matters most, and the range test finds its scale in one short run.
# - Successive halving and Hyperband stop bad configurations early, and cost least when a promoted
#   configuration resumes its run; ASHA does the same without waiting at each rung. Evolution keeps
#   its best with tournaments that need only rankings.
# - Noisy scores make "lower mean wins" accept phantom improvements half the time; a confidence rule
#   refuses them, at the price of also refusing small real gains. Comparisons of strategies need many
#   seeds and intervals: at 30 seeds several of them cannot be told apart.
# - Replica exchange crosses barriers that a single cold walker rarely does.
# - A broken run is diagnosed from its curve: learning rate, loss, batch noise, optimizer (and, with
#   the validation curve, overfitting); the checklist was checked on runs it was not tuned on.
# - Trials run anywhere an `Executor` runs: a pool, a Dask cluster; small trials run best as one
#   array computation, on a GPU when there is one.
#
# ## Going further
#
# 1. Successive halving trusts the ranking after 1 epoch. Find a configuration of this chapter's MLP
#    that is bad at 1 epoch and the best at 27 (a small learning rate with high momentum is a place to
#    look). How does Hyperband's bracket with the fewest rungs protect against it?
# 2. The surrogate search of section 6 proposes the candidate with the lowest predicted score, so it
#    never explores (and the naive and confident rules see the same trials: only their pick differs).
#    Subtract a bonus for distance from the configurations already scored, add the row to
#    `coursekit.experiments.ch4_compare.STRATEGIES`, and compare the medians over 30 seeds with
#    `make tuning-comparison`.
# 3. Replica exchange (section 7) needs a ladder. Space the temperatures so that neighbouring swaps are accepted
#    about a fifth of the time, and compare how often the cold walker reaches the global basin.
