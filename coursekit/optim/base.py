"""What every optimizer shares: parameters, hyperparameters, per-parameter state, checkpoints.

A concrete optimizer declares its hyperparameters as class attributes and writes
two small functions::

    init_state(p)                       -> State     what it remembers per parameter
    reference_update(p, g, s, t, **h)   -> (p, s)    the math, Array API calls only

and, for the fast paths, ``scalars`` and ``element`` (one coordinate's step, see
:mod:`coursekit.optim.elementwise`).

``step(grads)`` validates the gradients, advances the step counter ``t`` (from 1,
as torch.optim) and updates every parameter in place, through the path
:mod:`coursekit.optim.paths` picks for it: the reference math for small arrays, else
the same operations done in place (blocked NumPy, :mod:`.inplace`), or the class's
``element`` in a numba loop or as a CuPy kernel generated from it.
"""
from __future__ import annotations

import numbers

import numpy

from coursekit.backend import copy as _backend_copy, get_namespace, is_array as _is_array

from . import elementwise, paths

__all__ = ["Optimizer", "State", "Hyperparameter", "Flag"]


class State(dict):
    """One parameter's optimizer state: a dict whose entries also read as attributes (``s.m is s["m"]``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _shape(x) -> tuple:
    return tuple(x.shape)


def _broadcasts_to(shape, target) -> bool:
    """Does an array of ``shape`` broadcast against ``target`` without enlarging it?"""
    if len(shape) > len(target):
        return False
    return all(h in (1, p) for h, p in zip(reversed(shape), reversed(target)))


def _show(value) -> str:
    if _is_array(value):
        xp = get_namespace(value)
        return (f"an array of shape {_shape(value)} with min {float(xp.min(value)):g} "
                f"and max {float(xp.max(value)):g}")
    return repr(value)


class Hyperparameter:
    """A numeric hyperparameter: a float, or an array broadcasting against every parameter.

    ``low``/``high`` bound it (``open_low``/``open_high`` exclude the bound); ``pair``
    makes it a tuple of two such values (Adam's betas). Setting it validates it, so
    ``opt.lr = -1`` raises ``ValueError`` naming ``lr``.
    """

    def __init__(self, low=None, high=None, *, open_low=False, open_high=False, pair=False, doc=""):
        self.low, self.high, self.open_low, self.open_high = low, high, open_low, open_high
        self.pair, self.__doc__ = pair, doc

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        return self if obj is None else obj._hyper[self.name]

    def __set__(self, obj, value):
        if self.pair:
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ValueError(f"{self.name} must be a pair of numbers, got {value!r}")
            value = tuple(self._one(obj, f"{self.name}[{k}]", v) for k, v in enumerate(value))
        else:
            value = self._one(obj, self.name, value)
        obj._hyper[self.name] = value
        obj._cast_cache.clear()
        if not obj._initializing:
            obj._check_consistency()

    def _one(self, obj, name, value):
        value = obj._coerce(name, value)
        lo, hi = self.low, self.high
        ok_lo = lo is None or _all(value > lo if self.open_low else value >= lo)
        ok_hi = hi is None or _all(value < hi if self.open_high else value <= hi)
        if not (ok_lo and ok_hi):
            if hi is None:
                need = f"{'>' if self.open_low else '>='} {lo}"
            else:
                need = f"in {'(' if self.open_low else '['}{lo}, {hi}{')' if self.open_high else ']'}"
            raise ValueError(f"{name} must be {need}, got {_show(value)}")
        return value


class Flag:
    """A boolean option fixed at construction (it decides which state exists)."""

    def __init__(self, doc=""):
        self.__doc__ = doc

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        return self if obj is None else obj._hyper[self.name]

    def __set__(self, obj, value):
        if not obj._initializing:
            raise AttributeError(f"{self.name} is fixed when the optimizer is built")
        if not isinstance(value, (bool, numpy.bool_)):
            raise ValueError(f"{self.name} must be True or False, got {value!r}")
        obj._hyper[self.name] = bool(value)


def _copy(xp, a):
    """A copy of ``a`` as an array of ``xp`` (from any array the module can take)."""
    return _backend_copy(a, xp)


def _all(cond) -> bool:
    if isinstance(cond, bool):
        return cond
    return bool(get_namespace(cond).all(cond))


class Optimizer:
    """Base class. ``params``: one array or a list of arrays (float), updated in place by ``step``.

    ``check_finite=True`` makes ``step`` raise ``FloatingPointError`` on a NaN/inf gradient
    before touching anything. ``fast`` picks the code that runs each parameter's step
    (``opt.paths``, see :mod:`coursekit.optim.paths`): ``None`` (default) or ``True``, the
    fastest available for its size; ``False``, the reference math; or one of ``"reference"``,
    ``"numpy"``, ``"numba"``, ``"cupy"`` for every parameter.
    """

    scalars = None      #: ``scalars(t, **h) -> (scalars, flags)`` of a step (:mod:`.elementwise`)
    element = None      #: ``element(p, g, *state, *scalars, **flags)``: one coordinate's step
    lazy = {}           #: state entries ``None`` until the first step with this flag on

    def __init__(self, params, *, check_finite=False, fast=None, **hyperparameters):
        self.params = _as_param_list(params)
        self.xp = get_namespace(*self.params)
        self._kernel = type(self) if elementwise.has_fast_paths(type(self)) else None
        self.fast = paths.check_fast(fast, self.xp, self._kernel)
        self.paths = [paths.choose(self.fast, self.xp, p, self._kernel) for p in self.params]
        self.check_finite = bool(check_finite)
        self.t = 0                                   #: steps taken so far
        self._hyper, self._cast_cache = {}, {}
        self._initializing = True
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self._initializing = False
        self._check_consistency()
        self.state = [self.init_state(p) for p in self.params]
        self._work = [None] * len(self.params)       # numpy path scratch, allocated on first use

    # -- what a concrete optimizer provides ------------------------------------------
    def init_state(self, p) -> State:
        return State()

    @staticmethod
    def reference_update(p, g, s, t, **h):
        raise NotImplementedError

    def _check_consistency(self):
        """Checks involving several hyperparameters (e.g. Nesterov needs momentum)."""

    # -- the step ----------------------------------------------------------------------
    @property
    def hyperparameters(self) -> dict:
        """The current hyperparameters and flags (the stored values, not copies)."""
        return dict(self._hyper)

    def step(self, grads):
        """Update every parameter in place from its gradient (one array or a matching list)."""
        grads = self._check_grads(grads)
        t = self.t + 1
        if self.check_finite:
            for i, g in enumerate(grads):
                if not _all(self.xp.isfinite(g)):
                    raise FloatingPointError(
                        f"non-finite gradient for params[{i}] at step {t}; "
                        "params and optimizer state were left unchanged")
        for i, (p, g) in enumerate(zip(self.params, grads)):
            h = self._hyper_for(p)
            if self.paths[i] == "reference":
                new_p, self.state[i] = self.reference_update(p, g, self.state[i], t, **h)
                p[...] = new_p
            else:
                self._work[i] = paths.update(self.paths[i], self._kernel, p, g, self.state[i], t, h,
                                             self._work[i])
        self.t = t

    # -- checkpoints ---------------------------------------------------------------------
    def state_dict(self) -> dict:
        """A plain dict (numbers, tuples, arrays, None) of copies: step count, hyperparameters, state."""
        return {"optimizer": type(self).__name__,
                "t": self.t,
                "hyperparameters": {k: self._copy(v) for k, v in self._hyper.items()},
                "state": [{k: self._copy(v) for k, v in s.items()} for s in self.state]}

    def load_state_dict(self, d: dict) -> None:
        """Resume from ``state_dict()`` output: later steps equal an uninterrupted run's, bit for bit."""
        if not isinstance(d, dict) or not {"optimizer", "t", "hyperparameters", "state"} <= set(d):
            raise ValueError("state_dict must be a dict with keys optimizer, t, hyperparameters, state")
        if d["optimizer"] != type(self).__name__:
            raise ValueError(f"state_dict is from {d['optimizer']}, not {type(self).__name__}")
        if len(d["state"]) != len(self.params):
            raise ValueError(f"state_dict has state for {len(d['state'])} params, "
                             f"this optimizer has {len(self.params)}")
        hyper = d["hyperparameters"]
        for name, flag in self._hyper.items():
            if isinstance(flag, bool) and hyper.get(name) != flag:
                raise ValueError(f"state_dict was saved with {name}={hyper.get(name)}, "
                                 f"this optimizer has {name}={flag}")
        states = []
        for i, (p, saved) in enumerate(zip(self.params, d["state"])):
            expected = set(self.init_state(p))
            if set(saved) != expected:
                raise ValueError(f"state_dict state[{i}] has entries {sorted(saved)}, expected {sorted(expected)}")
            s = State()
            for k, v in saved.items():
                if v is not None:
                    v = _copy(self.xp, v)
                    if _shape(v) != _shape(p) or v.dtype != p.dtype:
                        raise ValueError(f"state_dict state[{i}][{k!r}] has shape {_shape(v)} and dtype "
                                         f"{v.dtype}, params[{i}] has {_shape(p)} and {p.dtype}")
                s[k] = v
            states.append(s)
        old = dict(self._hyper)
        try:
            for name, value in hyper.items():
                if not isinstance(old.get(name), bool):
                    setattr(self, name, value)
        except ValueError:
            self._hyper = old
            self._cast_cache.clear()
            raise
        self.state, self.t = states, int(d["t"])
        self._work = [None] * len(self.params)

    def _copy(self, v):
        if isinstance(v, tuple):
            return tuple(self._copy(e) for e in v)
        return _copy(self.xp, v) if _is_array(v) else v

    # -- validation helpers -----------------------------------------------------------------
    def _coerce(self, name, value):
        """A float, or an array of the params' module that broadcasts against every parameter."""
        if isinstance(value, bool) or not (isinstance(value, numbers.Real) or _is_array(value)
                                           or hasattr(value, "shape")):
            raise ValueError(f"{name} must be a number or an array, got {value!r}")
        if isinstance(value, numbers.Real):
            return float(value)
        if len(value.shape) == 0:
            return float(value)
        try:
            value = _copy(self.xp, value)                    # a copy: the caller may reuse theirs
        except (TypeError, ValueError) as exc:               # not convertible (a device error is no such thing)
            raise ValueError(f"{name} must be an array of the params' module "
                             f"({self.xp.__name__}): {exc}") from None
        if not self.xp.isdtype(value.dtype, ("real floating", "integral")):
            raise ValueError(f"{name} must hold real numbers, got dtype {value.dtype}")
        for i, p in enumerate(self.params):
            if not _broadcasts_to(_shape(value), _shape(p)):
                raise ValueError(f"{name} of shape {_shape(value)} does not broadcast against "
                                 f"params[{i}] of shape {_shape(p)}")
        return value

    def _hyper_for(self, p) -> dict:
        """The hyperparameters with arrays cast to ``p``'s dtype (cached per dtype)."""
        h = self._cast_cache.get(p.dtype)
        if h is None:
            def cast(v):
                if isinstance(v, tuple):
                    return tuple(cast(e) for e in v)
                if _is_array(v) and v.dtype != p.dtype:
                    return self.xp.astype(v, p.dtype)
                return v
            h = self._cast_cache[p.dtype] = {k: cast(v) for k, v in self._hyper.items()}
        return h

    def _check_grads(self, grads) -> list:
        if _is_array(grads):
            grads = [grads]
        if not isinstance(grads, (list, tuple)):
            raise ValueError(f"grads must be an array or a list of arrays, got {type(grads).__name__}")
        if len(grads) != len(self.params):
            raise ValueError(f"grads has {len(grads)} arrays, but there are {len(self.params)} params")
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if not _is_array(g) or get_namespace(g) is not self.xp:
                raise ValueError(f"grads[{i}] must be a {self.xp.__name__} array like params[{i}], "
                                 f"got {type(g).__name__}")
            if _shape(g) != _shape(p):
                raise ValueError(f"grads[{i}] has shape {_shape(g)}, but params[{i}] has shape {_shape(p)}")
            if g.dtype != p.dtype:
                raise ValueError(f"grads[{i}] has dtype {g.dtype}, but params[{i}] has dtype {p.dtype}")
        return list(grads)

    def __repr__(self):
        hp = ", ".join(f"{k}={_show(v) if _is_array(v) else v!r}" for k, v in self._hyper.items())
        shapes = ", ".join(f"{_shape(p)} {p.dtype}" for p in self.params)
        return f"{type(self).__name__}({hp}; t={self.t}; params: {shapes})"


def _as_param_list(params):
    plist = [params] if _is_array(params) else params
    if not isinstance(plist, (list, tuple)) or len(plist) == 0:
        raise ValueError(f"params must be an array or a non-empty list of arrays, got {params!r:.80}")
    plist = list(plist)
    for i, p in enumerate(plist):
        if not _is_array(p):
            raise ValueError(f"params[{i}] must be an array (e.g. numpy.asarray(...)), "
                             f"got {type(p).__name__}")
        xp = get_namespace(p)
        if not xp.isdtype(p.dtype, "real floating"):
            raise ValueError(f"params[{i}] has dtype {p.dtype}; optimizers need float32 or float64 arrays")
        flags = getattr(p, "flags", None)
        if flags is not None and getattr(flags, "writeable", True) is False:
            raise ValueError(f"params[{i}] is read-only; the optimizer updates params in place")
    get_namespace(*plist)   # raises TypeError when modules are mixed
    return plist
