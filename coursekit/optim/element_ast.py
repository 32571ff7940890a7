"""Reading an optimizer's element function (:mod:`.elementwise`) as a tree, for the code writers.

:mod:`.cuda_source` (CUDA C) and :mod:`.numpy_source` (in-place NumPy calls) share this walk:
the docstring is skipped, each ``if flag:`` keeps the branch the option set picks, each
``name = expression`` goes to the writer's ``assign``, and ``return p, state...`` ends it.
Anything else raises :class:`TranslationError` with its line.
"""
from __future__ import annotations

import ast
import functools
import inspect
import textwrap

__all__ = ["TranslationError", "tree", "number", "operation", "Walker"]

#: The operations an element may use, named as NumPy's ufuncs (each writer spells them its way).
_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}
_CALLS = {("sqrt", 1), ("maximum", 2), ("sign", 1)}


class TranslationError(ValueError):
    """The element function uses something the code writers do not translate."""


@functools.lru_cache(maxsize=None)
def tree(element) -> ast.FunctionDef:
    """The element function's definition, parsed from its source."""
    return ast.parse(textwrap.dedent(inspect.getsource(element))).body[0]


def number(node) -> "str | None":
    """The ``repr`` of a numeric literal as a float, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return repr(float(node.value))
    return None


def operation(node) -> tuple[str, list]:
    """``(ufunc name, operands)`` of ``+ - * /``, unary ``-``, ``np.sqrt``, ``np.maximum``, ``np.sign``;
    anything else raises :class:`TranslationError` with its line."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)], [node.left, node.right]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return "negative", [node.operand]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "np"
            and (node.func.attr, len(node.args)) in _CALLS):
        return node.func.attr, list(node.args)
    raise TranslationError(f"line {getattr(node, 'lineno', '?')}: {ast.unparse(node)!r} is not translated")


class Walker:
    """Walks an element's body under the option set ``flags`` (``dead``: state names that are None);
    a writer defines ``assign``."""

    def __init__(self, flags, dead=()):
        self.flags, self.dead, self.returned = flags, dead, None

    def assign(self, name: str, value: ast.expr):
        raise NotImplementedError

    def walk(self, tree) -> dict:
        """Write the body; returns what it returns, by name (``p`` and the state)."""
        self.block(tree.body)
        if self.returned is None:
            raise TranslationError(f"{tree.name} has no return")
        params = [a.arg for a in tree.args.args]
        return dict(zip(["p", *params[2:]], self.returned))

    def check_read(self, name):
        """A flag is not a number, and a state that is None in this option set cannot be read."""
        if name in self.flags:
            raise TranslationError(f"flag {name} is used as a number")
        if name in self.dead:
            raise TranslationError(f"state {name} is read but is None in this option set")

    def block(self, body):
        for node in body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue                                                  # the docstring
            if isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id in self.flags):
                    raise TranslationError(f"line {node.lineno}: only `if <flag>:` is allowed")
                self.block(node.body if self.flags[node.test.id] else node.orelse)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if node.targets[0].id in self.flags:
                    raise TranslationError(f"flag {node.targets[0].id} is assigned")
                self.assign(node.targets[0].id, node.value)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                self.returned = node.value.elts
                return
            else:
                raise TranslationError(f"line {node.lineno}: {ast.unparse(node)!r} is not translated")
