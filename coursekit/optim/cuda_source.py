"""CUDA C generated from an optimizer's element function (:mod:`.elementwise`): the math once.

:func:`source` reads the function's ``ast``, keeps the branch of each ``if flag:`` that the
option set picks (a switched-off term is not in the kernel) and writes each statement in C:
``x = expr`` becomes ``x = expr;`` (locals declared ``T x;`` first, an input that is reassigned
copied to ``x_``), ``+ - * /`` and unary ``-`` stay (parenthesized as the tree nests, so C
evaluates what Python does), ``np.sqrt`` is ``sqrt``, ``np.maximum`` is ``max``, ``np.sign(x)``
is ``(T)((x > 0) - (x < 0))``. Anything else raises :class:`TranslationError`.
"""
from __future__ import annotations

import ast

from .element_ast import TranslationError, Walker, number, operation
from .element_ast import tree as element_tree

__all__ = ["TranslationError", "source"]

_OPS = {"add": ("+", 1), "subtract": ("-", 1), "multiply": ("*", 2), "divide": ("/", 2)}


def source(element, outputs, flags, dead=()) -> tuple[str, str, str, tuple]:
    """``(in_params, out_params, operation, inputs)`` for ``cupy.ElementwiseKernel``.

    ``outputs``: ``"p"`` and the live state names (read and written in place); ``dead``: the
    state names that are ``None`` (reading one raises); ``flags``: the option set. The inputs are ``g`` and the scalars the folded body reads, in the order of the
    element's signature (``inputs`` names them, for the call).
    """
    tree = element_tree(element)
    params = [a.arg for a in tree.args.args]
    writer = _Writer(dict(flags), set(params), set(outputs), set(dead))
    returned = writer.walk(tree)
    for name in outputs:
        value = returned[name]
        if not (isinstance(value, ast.Name) and value.id == name):
            writer.lines.append(f"{name} = {writer.expr(value)};")
    inputs = tuple(n for n in params if n not in outputs and n in writer.read)
    head = [f"T {n};" for n in writer.locals] + [f"T {n}_ = {n};" for n in writer.copied]
    ins = ", ".join(f"T {n}" for n in inputs)
    outs = ", ".join(f"T {n}" for n in outputs)
    return ins, outs, "\n".join(head + writer.lines), inputs


class _Writer(Walker):
    def __init__(self, flags, params, outputs, dead):
        super().__init__(flags, dead)
        self.params, self.outputs = params, outputs
        self.lines, self.locals, self.copied, self.read = [], [], [], set()

    def assign(self, name, value):
        value = self.expr(value)                                      # read before a copy is made
        self.lines.append(f"{self.target(name)} = {value};")

    def target(self, name):
        if name in self.params and name not in self.outputs:
            if name not in self.copied:
                self.read.add(name)
                self.copied.append(name)                             # an input: work on a copy
            return name + "_"
        if name not in self.params and name not in self.locals:
            self.locals.append(name)
        return name

    def name(self, name):
        self.check_read(name)
        if name in self.copied:
            return name + "_"
        if name not in self.params and name not in self.locals:
            raise TranslationError(f"{name} is read before it is assigned")
        self.read.add(name)
        return name

    def expr(self, node, parent=0, right=False) -> str:
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if number(node) is not None:
            return f"(T){number(node)}"
        op, args = operation(node)
        if op in _OPS:
            symbol, level = _OPS[op]
            text = f"{self.expr(args[0], level)} {symbol} {self.expr(args[1], level, right=True)}"
            return f"({text})" if level < parent or (right and level == parent) else text
        if op == "negative":
            return f"(-{self.expr(args[0], 3)})"
        args = [self.expr(a) for a in args]
        if op == "sqrt":
            return f"sqrt({args[0]})"
        if op == "maximum":
            return f"max({args[0]}, {args[1]})"
        return f"(T)(({args[0]} > (T)0) - ({args[0]} < (T)0))"          # sign
