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

__all__ = ["TranslationError", "tree", "Walker"]


class TranslationError(ValueError):
    """The element function uses something the code writers do not translate."""


@functools.lru_cache(maxsize=None)
def tree(element) -> ast.FunctionDef:
    """The element function's definition, parsed from its source."""
    return ast.parse(textwrap.dedent(inspect.getsource(element))).body[0]


class Walker:
    """Walks an element's body under the option set ``flags``; a writer defines ``assign``."""

    def __init__(self, flags):
        self.flags, self.returned = flags, None

    def assign(self, name: str, value: ast.expr):
        raise NotImplementedError

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
