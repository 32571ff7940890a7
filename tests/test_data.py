"""coursekit.data: synthetic data sets, splitting, standardizing and batching."""
import array_api_strict as xps
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from coursekit import data


def ids(n):
    """A data set whose rows name themselves: X[i] = (i, -i), y[i] = i."""
    return np.stack([np.arange(n), -np.arange(n)], axis=1).astype(float), np.arange(n)


# ---------------------------------------------------------------- generators

@pytest.mark.parametrize("make, k", [
    (lambda s: data.blobs(301, centers=4, seed=s), 4),
    (lambda s: data.moons(301, seed=s), 2),
    (lambda s: data.spirals(301, n_classes=3, seed=s), 3),
])
def test_class_sets_shapes_balance_and_seeds(make, k):
    X, y = make(0)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and np.issubdtype(y.dtype, np.integer)
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1 and counts.sum() == 301
    X2, y2 = make(0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(1)[0], X)
    assert not np.array_equal(y[:50], np.sort(y[:50]))          # shuffled, not sorted by class


def test_blobs_with_given_centers_have_the_right_means_and_spread():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, -5.0, 2.0]])
    X, y = data.blobs(4000, centers=centers, std=0.5, seed=2)
    assert X.shape == (4000, 3)
    for c in range(2):
        pts = X[y == c]
        np.testing.assert_allclose(pts.mean(axis=0), centers[c], atol=4 * 0.5 / np.sqrt(len(pts)))
        np.testing.assert_allclose(pts.std(axis=0), 0.5, rtol=4 / np.sqrt(2 * len(pts)))
    X5, y5 = data.blobs(100, centers=5, dim=4, seed=0)
    assert X5.shape == (100, 4) and set(y5) == set(range(5))


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.moons(200, noise=0.0, seed=0)
    a, b = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(a[:, 0], a[:, 1]), 1.0, rtol=1e-14)
    assert np.all(a[:, 1] >= -1e-15)
    np.testing.assert_allclose(np.hypot(b[:, 0] - 1, b[:, 1] - 0.5), 1.0, rtol=1e-14)
    assert np.all(b[:, 1] <= 0.5 + 1e-15)


def test_spirals_without_noise_follow_their_arms():
    X, y = data.spirals(300, n_classes=3, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    for c in range(3):
        rc = np.sort(r[y == c])
        np.testing.assert_allclose(rc, np.linspace(0, 1, 100), atol=1e-14)
        pts = X[y == c][r[y == c] > 0.1]
        rr = np.hypot(pts[:, 0], pts[:, 1])
        t = 4 * rr + 2 * np.pi * c / 3
        np.testing.assert_allclose(pts, np.stack([rr * np.cos(t), rr * np.sin(t)], axis=1), atol=1e-12)


def test_regression_data_and_feature_scales():
    X, y, w = data.regression(5000, 3, scales=[1.0, 10.0, 0.1], noise=0.0, seed=4, offsets=[0, 5, 0])
    assert X.shape == (5000, 3) and y.shape == (5000,) and w.shape == (3,)
    np.testing.assert_allclose(y, X @ w, rtol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), [1.0, 10.0, 0.1], rtol=0.05)
    np.testing.assert_allclose(X.mean(axis=0), [0, 5, 0], atol=0.5)
    _, y_noisy, _ = data.regression(5000, 3, noise=0.5, seed=4)
    X1, _, w1 = data.regression(5000, 3, noise=0.0, seed=4)
    assert np.std(y_noisy - X1 @ w1) == pytest.approx(0.5, rel=0.05)
    np.testing.assert_array_equal(data.regression(10, 2, seed=1)[0], data.regression(10, 2, seed=1)[0])


@pytest.mark.claim("C8")
def test_badly_scaled_features_are_ill_conditioned_until_standardized():
    X, _, _ = data.regression(500, 2, scales=[1.0, 100.0], seed=0)
    kappa = np.linalg.cond(X.T @ X)
    assert kappa > 0.5 * 100 ** 2                        # about (max scale / min scale)^2
    Z = data.Standardizer().fit_transform(X)
    assert np.linalg.cond(Z.T @ Z) < 1.5
    # the induced 1-norm is the largest absolute column sum
    assert np.linalg.norm(X, 1) == pytest.approx(np.abs(X).sum(axis=0).max(), rel=1e-14)


def test_generators_reject_bad_input():
    with pytest.raises(ValueError, match="scales"):
        data.regression(10, 3, scales=[1.0, 2.0])
    with pytest.raises(ValueError, match="scales"):
        data.regression(10, 2, scales=[1.0, -2.0])
    with pytest.raises(ValueError, match="n must be"):
        data.blobs(0)
    with pytest.raises(ValueError, match="noise"):
        data.moons(10, noise=-0.1)
    with pytest.raises(ValueError, match="n_classes"):
        data.spirals(10, n_classes=1)
    with pytest.raises(ValueError, match="centers"):
        data.blobs(10, centers=np.ones(3))
    with pytest.raises(TypeError, match="n must be an integer"):
        data.moons(10.5)


# ---------------------------------------------------------------- split, standardize

def test_train_test_split_partitions_and_keeps_pairs():
    X, y = ids(41)
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_fraction=0.25, seed=3)
    assert len(yte) == 11 and len(ytr) == 30                       # ceil(0.25 * 41)
    assert sorted(np.concatenate([ytr, yte])) == list(range(41))
    np.testing.assert_array_equal(Xtr[:, 0], ytr)
    np.testing.assert_array_equal(Xte[:, 0], yte)
    again = data.train_test_split(X, y, test_fraction=0.25, seed=3)
    np.testing.assert_array_equal(again[3], yte)
    assert not np.array_equal(data.train_test_split(X, y, test_fraction=0.25, seed=4)[3], yte)
    for bad in (0.0, 1.0, -0.5):
        with pytest.raises(ValueError, match="test_fraction"):
            data.train_test_split(X, y, test_fraction=bad)
    with pytest.raises(ValueError, match="y must have one entry per row"):
        data.train_test_split(X, y[:-1])


def test_standardizer_uses_train_statistics_and_handles_constant_columns():
    rng = np.random.default_rng(0)
    train = np.column_stack([3 + 2 * rng.standard_normal(200), np.full(200, 7.0), rng.uniform(0, 10, 200)])
    test = np.column_stack([3 + 2 * rng.standard_normal(50), np.full(50, 8.0), rng.uniform(0, 10, 50)])
    s = data.Standardizer().fit(train)
    Z = s.transform(train)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(Z.std(axis=0)[[0, 2]], 1.0, rtol=1e-13)
    np.testing.assert_array_equal(Z[:, 1], 0.0)                     # constant column -> 0, scale 1
    assert s.scale_[1] == 1.0
    np.testing.assert_allclose(s.transform(test), (test - train.mean(0)) / np.where(
        train.std(0) > 0, train.std(0), 1.0), rtol=1e-13)
    np.testing.assert_allclose(s.inverse_transform(s.transform(test)), test, rtol=1e-13)
    with pytest.raises(ValueError, match="not fitted"):
        data.Standardizer().transform(train)
    with pytest.raises(ValueError, match="3 columns"):
        s.transform(train[:, :2])
    # a constant column with rounding noise (std ~ 1e-17 * mean) is also treated as constant
    c = np.full((7, 1), 0.1)
    assert np.std(c) > 0                                            # numpy sees 1.4e-17
    assert data.Standardizer().fit(c).scale_[0] == 1.0
    np.testing.assert_allclose(data.Standardizer().fit_transform(c), 0.0, atol=1e-16)


def test_standardizer_on_array_api_strict():
    X = np.random.default_rng(1).standard_normal((20, 3)) * [1, 10, 0]
    s = data.Standardizer().fit(xps.asarray(X))
    Z = s.transform(xps.asarray(X))
    np.testing.assert_allclose(np.asarray(Z), data.Standardizer().fit_transform(X), rtol=1e-13)


def test_add_bias():
    X = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(data.add_bias(X), [[0, 1, 1], [2, 3, 1], [4, 5, 1]])
    assert np.asarray(data.add_bias(xps.asarray(X))).shape == (3, 3)
    with pytest.raises(ValueError, match="X must be 2-D"):
        data.add_bias(np.ones(3))


# ---------------------------------------------------------------- batches

def test_minibatches_cover_every_example_once_per_epoch():
    X, y = ids(103)
    batches = list(data.minibatches(X, y, 10, rng=0))
    assert [len(b[1]) for b in batches] == [10] * 10 + [3]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(103)) and not np.array_equal(seen, np.arange(103))
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], yb)
    assert [len(b[1]) for b in data.minibatches(X, y, 10, rng=0, drop_last=True)] == [10] * 10
    ordered = np.concatenate([b[1] for b in data.minibatches(X, y, 25, shuffle=False)])
    np.testing.assert_array_equal(ordered, np.arange(103))


def test_minibatches_seeding():
    X, y = ids(30)
    first = [b[1] for b in data.minibatches(X, y, 7, rng=5)]
    again = [b[1] for b in data.minibatches(X, y, 7, rng=5)]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))
    rng = np.random.default_rng(5)
    epoch1 = np.concatenate([b[1] for b in data.minibatches(X, y, 7, rng=rng)])
    epoch2 = np.concatenate([b[1] for b in data.minibatches(X, y, 7, rng=rng)])
    np.testing.assert_array_equal(epoch1, np.concatenate(first))   # seed 5 == Generator(5)'s first epoch
    assert not np.array_equal(epoch1, epoch2)                      # a shared Generator reshuffles


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), drop_last=st.booleans(), seed=st.integers(0, 99))
def test_minibatches_property(n, batch_size, drop_last, seed):
    X, y = ids(n)
    sizes, seen = [], []
    for Xb, yb in data.minibatches(X, y, batch_size, rng=seed, drop_last=drop_last):
        sizes.append(len(yb))
        seen.extend(yb)
    assert len(set(seen)) == len(seen)                              # never twice in an epoch
    if drop_last:
        assert all(s == batch_size for s in sizes) and len(seen) == n - n % batch_size
    else:
        assert sorted(seen) == list(range(n)) and all(s == batch_size for s in sizes[:-1])


def test_minibatches_on_array_api_strict_and_without_y():
    X, y = ids(12)
    out = list(data.minibatches(xps.asarray(X), xps.asarray(y), 5, rng=1))
    ref = list(data.minibatches(X, y, 5, rng=1))
    for (Xb, yb), (Xr, yr) in zip(out, ref):
        np.testing.assert_array_equal(np.asarray(Xb), Xr)
        np.testing.assert_array_equal(np.asarray(yb), yr)
    assert all(yb is None for _, yb in data.minibatches(X, None, 5))


def test_minibatches_bad_input():
    X, y = ids(10)
    with pytest.raises(ValueError, match="batch_size"):
        list(data.minibatches(X, y, 0))
    with pytest.raises(ValueError, match="y must have one entry per row"):
        list(data.minibatches(X, y[:5], 2))
    with pytest.raises(TypeError, match="rng"):
        list(data.minibatches(X, y, 2, rng="seed"))


def test_sample_batch_with_and_without_replacement():
    X, y = ids(50)
    Xb, yb = data.sample_batch(X, y, 20, rng=0)
    assert Xb.shape == (20, 2)
    np.testing.assert_array_equal(Xb[:, 0], yb)
    Xb, yb = data.sample_batch(X, y, 50, rng=0, replace=False)
    assert sorted(yb) == list(range(50))
    with pytest.raises(ValueError, match="batch_size"):
        data.sample_batch(X, y, 51, replace=False)
    Xs, ys = data.sample_batch(xps.asarray(X), xps.asarray(y), 4, rng=3)
    np.testing.assert_array_equal(np.asarray(ys), data.sample_batch(X, y, 4, rng=3)[1])


def test_sample_batch_mean_has_variance_sigma2_over_b():
    # i.i.d. draws with replacement: Var(batch mean) = population variance / B
    X, y = ids(50)
    rng = np.random.default_rng(0)
    B = 8
    means = [data.sample_batch(X, y, B, rng=rng)[1].mean() for _ in range(4000)]
    assert np.var(means) == pytest.approx(np.var(y) / B, rel=0.08)
