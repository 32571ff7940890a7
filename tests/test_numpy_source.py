"""coursekit.optim.numpy_source: the NumPy path's in-place code, written from an element function.

The optimizers' own elements are held to the reference by tests/test_optim_paths.py (every
option set, bit for bit); here the translator itself: a toy element using every construct it
knows gives the bits the element gives when run as Python on arrays, no line allocates, names
that share an array stay right, and what it cannot translate is refused with the line.
"""
import numpy as np
import pytest

from coursekit import optim
from coursekit.optim.element_ast import TranslationError
from coursekit.optim.numpy_source import compile_blocked

from optim_settings import NAMES, option_sets  # noqa: E402


def toy(p, g, m, a, b, squash, first):
    """Every construct: arithmetic, unary minus, constants, sqrt, maximum, sign, flags, an alias."""
    if first:
        m = g
    else:
        m = a * m + (1.0 - a) * g
    q = m                                         # an alias of the state m
    if squash:
        p = p - b * np.sign(q) * np.sqrt(np.maximum(q * q, 2.0 * a)) / -(-b - 1)
    else:
        p = -p + q / 3
    return p, m


@pytest.mark.parametrize("squash", [True, False])
@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_code_gives_the_elements_bits_and_allocates_nothing(squash, first, dtype):
    rng = np.random.default_rng(0)
    p, g, m = (rng.standard_normal(1000).astype(dtype) for _ in range(3))
    a, b = rng.uniform(0.1, 0.9, (1000,)).astype(dtype), 0.3
    want_p, want_m = toy(p.copy(), g.copy(), m.copy(), a, b, squash=squash, first=first)
    step, scratch = compile_blocked(toy, ("p", "m"), (("squash", squash), ("first", first)))
    g_before = g.copy()
    work = [np.full(1000, np.nan, dtype) for _ in range(scratch)]
    step(p, g, m, a, b, work=work)
    np.testing.assert_array_equal(p, want_p)
    np.testing.assert_array_equal(m, want_m)
    np.testing.assert_array_equal(g, g_before)                 # an input that is not state is never written
    for line in step.source.splitlines()[1:]:
        assert "out=" in line or line.strip().startswith("np.copyto("), line


@pytest.mark.parametrize("name", NAMES)
def test_every_option_set_of_every_optimizer_needs_few_scratch_blocks(name):
    """The hand-written blocked updates this code replaced used two scratch blocks; it uses at most three."""
    for kw in option_sets(name):
        for steps in (1, 2):                              # the first step of a momentum buffer, and later ones
            opt = optim.OPTIMIZERS[name](np.ones(10), fast="numpy", **kw)
            for _ in range(steps):
                opt.step(np.full(10, 0.5))
            assert 1 <= len(opt._work[0]) <= 3, (kw, steps)


def overwrites_an_alias(p, g, m, lr):
    old = m
    m = m * lr
    p = p - old
    return p, m


def unknown_call(p, g, lr):
    p = p - lr * np.exp(g)
    return (p,)


def a_loop(p, g, lr):
    for _ in range(2):
        p = p - lr * g
    return (p,)


def reads_dead_state(p, g, v, lr, centered):
    if centered:
        p = p - lr * v
    return p, v


@pytest.mark.parametrize("element, outputs, flags, dead, message", [
    (overwrites_an_alias, ("p", "m"), (), (), "m is overwritten while another name holds it"),
    (unknown_call, ("p",), (), (), "np.exp"),
    (a_loop, ("p",), (), (), "is not translated"),
    (reads_dead_state, ("p",), (("centered", True),), ("v",), "state v is read but is None"),
])
def test_what_it_cannot_translate_is_refused(element, outputs, flags, dead, message):
    with pytest.raises(TranslationError, match=message):
        compile_blocked(element, outputs, flags, dead)
