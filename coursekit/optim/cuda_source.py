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

from .element_ast import TranslationError, Walker
from .element_ast import tree as element_tree

__all__ = ["TranslationError", "source"]

_OPS = {ast.Add: ("+", 1), ast.Sub: ("-", 1), ast.Mult: ("*", 2), ast.Div: ("/", 2)}


def source(element, outputs, flags, dead=()) -> tuple[str, str, str, tuple]:
    """``(in_params, out_params, operation, inputs)`` for ``cupy.ElementwiseKernel``.

    ``outputs``: ``"p"`` and the live state names (read and written in place); ``dead``: the
    state names that are ``None`` (reading one raises); ``flags``: the option set. The inputs are ``g`` and the scalars the folded body reads, in the order of the
    element's signature (``inputs`` names them, for the call).
    """
    tree = element_tree(element)
    params = [a.arg for a in tree.args.args]
    writer = _Writer(dict(flags), set(params), set(outputs), set(dead))
    writer.block(tree.body)
    if writer.returned is None:
        raise TranslationError(f"{tree.name} has no return")
    returned = dict(zip(["p", *params[2:]], writer.returned))
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
        self.flags, self.params, self.outputs, self.dead = flags, params, outputs, dead
        self.lines, self.locals, self.copied, self.read, self.returned = [], [], [], set(), None

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
        if name in self.flags:
            raise TranslationError(f"flag {name} is used as a number")
        if name in self.dead:
            raise TranslationError(f"state {name} is read but is None in this option set")
        if name in self.copied:
            return name + "_"
        if name not in self.params and name not in self.locals:
            raise TranslationError(f"{name} is read before it is assigned")
        self.read.add(name)
        return name

    def expr(self, node, parent=0, right=False) -> str:
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return f"(T){float(node.value)!r}"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"(-{self.expr(node.operand, 3)})"
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            op, level = _OPS[type(node.op)]
            text = f"{self.expr(node.left, level)} {op} {self.expr(node.right, level, right=True)}"
            return f"({text})" if level < parent or (right and level == parent) else text
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "np" and not node.keywords):
            args = [self.expr(a) for a in node.args]
            if node.func.attr == "sqrt" and len(args) == 1:
                return f"sqrt({args[0]})"
            if node.func.attr == "maximum" and len(args) == 2:
                return f"max({args[0]}, {args[1]})"
            if node.func.attr == "sign" and len(args) == 1:
                return f"(T)(({args[0]} > (T)0) - ({args[0]} < (T)0))"
        raise TranslationError(f"line {node.lineno}: {ast.unparse(node)!r} is not translated")
