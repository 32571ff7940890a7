"""In-place NumPy code generated from an optimizer's element function (:mod:`.elementwise`).

The NumPy path's twin of :mod:`.cuda_source`: :func:`compile_blocked` reads the element's
``ast``, keeps the branch of each ``if flag:`` that the option set picks, and writes each
operation as one NumPy call with ``out=``: into the state array itself where the element
assigns a state (or ``p``), else into a block-sized scratch array. So a step on a block is the
element's operations in its order (the same bits as the reference, which the tests check)
with no temporary allocated, and the update is written once, in the element.

A name bound to another (``b = g``) shares its array; every other assignment to a name that is
not state gets a scratch array of its own, so no array is overwritten while a name still holds it.
``np.sqrt``, ``np.maximum``, ``np.sign``, ``+ - * /`` and unary ``-`` are translated; anything
else raises :class:`~.element_ast.TranslationError`.
"""
from __future__ import annotations

import ast
import functools

import numpy as np

from .element_ast import TranslationError, Walker, number, operation
from .element_ast import tree as element_tree

__all__ = ["compile_blocked"]

@functools.lru_cache(maxsize=None)
def compile_blocked(element, outputs: tuple, flags: tuple, dead: tuple = ()):
    """``(step, scratch)``: ``step(p, g, *state, *scalars, work)`` updates ``p`` and the live
    state in place on one block, using ``work[:scratch]`` (block-shaped scratch arrays).

    ``outputs``: ``"p"`` and the live state names; ``flags``: the option set as ``(name,
    value)`` pairs; ``dead``: state names that are ``None`` in this option set.
    """
    tree = element_tree(element)
    params = [a.arg for a in tree.args.args]
    writer = _Writer(dict(flags), params, set(outputs), set(dead))
    for name, value in writer.walk(tree).items():
        if name in outputs and not (isinstance(value, ast.Name) and writer.bound.get(value.id) == name):
            writer.assign(name, value)
    inputs = [n for n in params if n not in dict(flags) and n != "first"]
    text = f"def step({', '.join(inputs)}, work):\n" + "".join(f"    {line}\n" for line in writer.lines or ["pass"])
    namespace = {"np": np}
    exec(compile(text, f"<numpy code of {element.__qualname__}>", "exec"), namespace)  # noqa: S102
    step = namespace["step"]
    step.source = text
    return step, writer.scratch


class _Writer(Walker):
    def __init__(self, flags, params, outputs, dead):
        super().__init__(flags, dead)
        self.outputs = outputs
        self.bound = {n: n for n in params if n not in flags}      # name -> the array (or scalar) it holds
        self.lines, self.scratch, self.free = [], 0, []

    def assign(self, name, value):
        if name in self.outputs:                                      # state: written in place
            if any(v == name for k, v in self.bound.items() if k != name):
                raise TranslationError(f"{name} is overwritten while another name holds it")
            if isinstance(value, ast.Name):
                self.lines.append(f"np.copyto({name}, {self.name(value.id)})")
            else:
                self.compute(value, name)
            self.bound[name] = name
        elif isinstance(value, ast.Name):
            self.bound[name] = self.name(value.id)                    # an alias: no copy
        else:
            self.bound[name] = self.compute(value, self.take())       # a scratch array of its own

    def take(self):
        if self.free:
            return self.free.pop()
        self.scratch += 1
        return f"work[{self.scratch - 1}]"

    def name(self, name):
        self.check_read(name)
        if name not in self.bound:
            raise TranslationError(f"{name} is read before it is assigned")
        return self.bound[name]

    def simple(self, node):
        """A name's array or scalar, or a number: no operation needed."""
        if isinstance(node, ast.Name):
            return self.name(node.id)
        return number(node)

    def reads(self, node, array):
        return any(isinstance(n, ast.Name) and self.bound.get(n.id) == array for n in ast.walk(node))

    def compute(self, node, out):
        """Lines that leave ``node``'s value in ``out``; returns ``out``. One composite operand
        is computed into ``out`` itself where no other operand reads ``out`` (fewer scratch
        arrays, the same operations); the others into temporaries, freed after the call."""
        ufunc, args = operation(node)
        simple = [self.simple(a) for a in args]
        into = next((i for i, a in enumerate(args) if simple[i] is None
                     and not any(self.reads(b, out) for j, b in enumerate(args) if j != i)), None)
        texts, temps = [], []
        for i, a in enumerate(args):
            if simple[i] is not None:
                texts.append(simple[i])
            elif i == into:
                texts.append(self.compute(a, out))
            else:
                temps.append(self.take())
                texts.append(self.compute(a, temps[-1]))
        self.lines.append(f"np.{ufunc}({', '.join(texts)}, out={out})")
        self.free.extend(temps)
        return out
