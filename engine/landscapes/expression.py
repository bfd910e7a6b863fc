"""A small, safe formula language in x and y, with exact symbolic derivatives.

Why not ``eval``, :mod:`ast` or sympy: ``eval`` runs arbitrary code; ``ast.parse`` recurses
in C and dies on a few thousand nested parentheses before any check of ours can run; sympy
would add tens of megabytes to the bundle and about a second to the first formula for a
job this size (the report of issue 13 has the figures). What we need is small: numbers,
``x``, ``y``, ``pi``, ``e``, ``+ - * / ^ **``, a dozen functions, and derivatives to second
order. So this module has a hand-written tokenizer and a recursive-descent parser with
explicit caps (length, nesting depth, node count) checked *before* any work grows, and a
differentiator on its own expression graph.

The graph is a :class:`Tape`: a list of nodes in which every child has a smaller index than
its parent, with identical nodes shared (hash-consing). Differentiation and evaluation are
plain loops over indices, never recursion, so a formula as deep as the caps allow can never
overflow the Python stack, and shared sub-expressions (which the product and chain rules
create in abundance) are evaluated once. Constructors simplify trivially: constants fold,
``0`` and ``1`` terms vanish. A constant is folded only when the result is a finite float
(never a Python integer, which ``9**9**9**9`` would turn into a multi-gigabyte number), and
a constant part that is not finite (``9^9^9^9``, ``log(0)``) is an error, since a surface that
is infinite everywhere has nothing to show.

Evaluation is vectorised: coordinates of any shape, results of that shape, every operation
under ``np.errstate(all="ignore")`` so that overflow far out is ``inf``/``nan`` data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_TAPE",
    "Formula",
    "FormulaError",
    "parse_formula",
]

MAX_LENGTH = 2000  # characters; a formula a teacher types is a line or two
MAX_DEPTH = 60  # nesting of brackets, calls, unary signs and powers
MAX_NODES = 1000  # distinct nodes of the parsed formula
MAX_TAPE = 40_000  # distinct nodes once the gradient and Hessian are built


class FormulaError(ValueError):
    """A formula that cannot be used; ``str(exc)`` is one line, naming the position.

    Attributes
    ----------
    position : int or None
        0-based character offset of the problem, when there is one.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        message = " ".join(str(message).split())
        if position is not None:
            message = f"{message} at column {position + 1}"
        super().__init__(message)
        self.position = position


# -- functions ------------------------------------------------------------------------------

_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "arctan": np.arctan,
    "relu": lambda a: np.maximum(a, 0.0),
    # derivative helpers, not callable from a formula
    "sign": np.sign,
    "step": lambda a: np.where(a > 0.0, 1.0, 0.0),
}
_HIDDEN = ("sign", "step")
_ALIASES = {"atan": "arctan", "ln": "log"}
_BINARY_FUNCS = ("min", "max")
FUNCTIONS: tuple[str, ...] = tuple(k for k in _UNARY if k not in _HIDDEN) + _BINARY_FUNCS
_CONSTANTS = {"pi": math.pi, "e": math.e}
_VARIABLES = ("x", "y")


def _unary_const(name: str, v: float) -> float:
    with np.errstate(all="ignore"):
        return float(_UNARY[name](np.float64(v)))


_BIN_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "pow": np.power,
    "min": np.minimum,
    "max": np.maximum,
}


class _NotFinite(Exception):
    """A constant part folded to inf or nan (turned into a FormulaError by the caller)."""


class Tape:
    """Shared expression nodes; children always precede parents.

    A node is a tuple ``(op, *args)``: ``("const", value)``, ``("var", "x")``,
    ``(binary_op, i, j)``, ``("fn", name, i)``, ``("neg", i)`` or
    ``("le", a, b, p, q)`` meaning ``p where a <= b else q`` (for min/max derivatives).
    """

    def __init__(self, limit: int = MAX_TAPE) -> None:
        self.nodes: list[tuple] = []
        self._index: dict[tuple, int] = {}
        self.limit = limit

    def _add(self, node: tuple) -> int:
        i = self._index.get(node)
        if i is None:
            if len(self.nodes) >= self.limit:
                raise FormulaError(
                    f"formula too complex (its derivatives need more than {self.limit} nodes)"
                )
            i = len(self.nodes)
            self.nodes.append(node)
            self._index[node] = i
        return i

    # -- constructors that simplify --------------------------------------------------------
    def const(self, v: float) -> int:
        v = float(v)
        if not math.isfinite(v):
            raise _NotFinite
        return self._add(("const", v + 0.0))  # -0.0 and 0.0 share one node

    def var(self, name: str) -> int:
        return self._add(("var", name))

    def value_of(self, i: int) -> float | None:
        n = self.nodes[i]
        return n[1] if n[0] == "const" else None

    def neg(self, a: int) -> int:
        ca = self.value_of(a)
        if ca is not None:
            return self.const(-ca)
        n = self.nodes[a]
        if n[0] == "neg":
            return n[1]
        return self._add(("neg", a))

    def binary(self, op: str, a: int, b: int) -> int:
        ca, cb = self.value_of(a), self.value_of(b)
        if ca is not None and cb is not None:
            with np.errstate(all="ignore"):
                return self.const(float(_BIN_OPS[op](np.float64(ca), np.float64(cb))))
        if op == "add":
            if ca == 0.0:
                return b
            if cb == 0.0:
                return a
        elif op == "sub":
            if cb == 0.0:
                return a
            if ca == 0.0:
                return self.neg(b)
            if a == b:
                return self.const(0.0)
        elif op == "mul":
            if ca == 0.0 or cb == 0.0:
                return self.const(0.0)
            if ca == 1.0:
                return b
            if cb == 1.0:
                return a
            if ca == -1.0:
                return self.neg(b)
            if cb == -1.0:
                return self.neg(a)
            if cb is not None:  # constants first, so 2*x and x*2 share a node
                a, b, ca, cb = b, a, cb, ca
            inner = self.nodes[b]
            if ca is not None and inner[0] == "mul" and self.value_of(inner[1]) is not None:
                # 3*(2*y) -> 6*y: gather constants, so derivative text stays readable
                return self.binary("mul", self.const(ca * self.value_of(inner[1])), inner[2])
        elif op == "div":
            if ca == 0.0:
                return self.const(0.0)
            if cb == 1.0:
                return a
        elif op == "pow":
            if cb == 0.0:
                return self.const(1.0)
            if cb == 1.0:
                return a
        elif op in ("min", "max") and a == b:
            return a
        return self._add((op, a, b))

    def fn(self, name: str, a: int) -> int:
        ca = self.value_of(a)
        if ca is not None:
            return self.const(_unary_const(name, ca))
        return self._add(("fn", name, a))

    def le(self, a: int, b: int, p: int, q: int) -> int:
        if p == q:
            return p
        return self._add(("le", a, b, p, q))

    # -- calculus --------------------------------------------------------------------------
    def derivative(self, root: int, var: str) -> int:
        """Index of d(root)/d(var), built node by node in index order (no recursion)."""
        need = self.reachable([root])
        d: dict[int, int] = {}
        zero, one = self.const(0.0), self.const(1.0)
        for i in need:
            d[i] = self._d(i, var, d, zero, one)
        return d[root]

    def _d(self, i: int, var: str, d: dict[int, int], zero: int, one: int) -> int:
        n = self.nodes[i]
        op = n[0]
        if op == "const":
            return zero
        if op == "var":
            return one if n[1] == var else zero
        if op == "neg":
            return self.neg(d[n[1]])
        if op in ("add", "sub"):
            return self.binary(op, d[n[1]], d[n[2]])
        if op == "mul":
            a, b = n[1], n[2]
            return self.binary("add", self.binary("mul", d[a], b), self.binary("mul", a, d[b]))
        if op == "div":
            a, b = n[1], n[2]
            # (a/b)' = a'/b - a b' / b^2, written with i = a/b to share the quotient
            return self.binary(
                "sub",
                self.binary("div", d[a], b),
                self.binary("div", self.binary("mul", i, d[b]), b),
            )
        if op == "pow":
            a, b = n[1], n[2]
            cb = self.value_of(b)
            if cb is not None:
                # c a^(c-1) a': no log(a), so negative bases with integer powers stay real
                return self.binary(
                    "mul",
                    self.binary("mul", b, self.binary("pow", a, self.const(cb - 1.0))),
                    d[a],
                )
            # (a^b)' = a^b (b' log a + b a'/a)
            return self.binary(
                "mul",
                i,
                self.binary(
                    "add",
                    self.binary("mul", d[b], self.fn("log", a)),
                    self.binary("div", self.binary("mul", b, d[a]), a),
                ),
            )
        if op in ("min", "max"):
            a, b = n[1], n[2]
            # at a tie the first argument's derivative is used (a one-sided choice)
            if op == "min":
                return self.le(a, b, d[a], d[b])
            return self.le(b, a, d[a], d[b])
        if op == "le":
            return self.le(n[1], n[2], d[n[3]], d[n[4]])
        # functions: chain rule f'(a) a'
        name, a = n[1], n[2]
        da = d[a]
        if da == zero:
            return zero
        return self.binary("mul", self._fprime(name, a, i), da)

    def _fprime(self, name: str, a: int, i: int) -> int:
        """f'(a) for the node ``i = f(a)``."""
        one = self.const(1.0)
        if name == "sin":
            return self.fn("cos", a)
        if name == "cos":
            return self.neg(self.fn("sin", a))
        if name == "tan":
            return self.binary("add", one, self.binary("mul", i, i))
        if name == "exp":
            return i
        if name == "log":
            return self.binary("div", one, a)
        if name == "sqrt":
            return self.binary("div", self.const(0.5), i)
        if name == "abs":
            return self.fn("sign", a)
        if name == "tanh":
            return self.binary("sub", one, self.binary("mul", i, i))
        if name == "sinh":
            return self.fn("cosh", a)
        if name == "cosh":
            return self.fn("sinh", a)
        if name == "arctan":
            return self.binary("div", one, self.binary("add", one, self.binary("mul", a, a)))
        if name == "relu":
            return self.fn("step", a)
        if name in ("sign", "step"):
            return self.const(0.0)
        raise AssertionError(name)  # pragma: no cover - every function is listed above

    def reachable(self, roots: Sequence[int]) -> list[int]:
        """Indices the roots depend on, ascending (so children come first)."""
        seen = [False] * (max(roots) + 1)
        for r in roots:
            seen[r] = True
        nodes = self.nodes
        for i in range(len(seen) - 1, -1, -1):
            if seen[i]:
                for c in _children(nodes[i]):
                    seen[c] = True
        return [i for i, s in enumerate(seen) if s]

    def evaluator(self, roots: Sequence[int]) -> Callable[[np.ndarray, np.ndarray], list]:
        """A function ``(x, y) -> [value of each root]`` evaluating every node once."""
        order = self.reachable(roots)
        plan: list[tuple[int, tuple]] = [(i, self.nodes[i]) for i in order]
        roots = list(roots)

        def run(x: np.ndarray, y: np.ndarray) -> list:
            vals: dict[int, object] = {}
            with np.errstate(all="ignore"):
                for i, n in plan:
                    op = n[0]
                    if op == "const":
                        vals[i] = n[1]
                    elif op == "var":
                        vals[i] = x if n[1] == "x" else y
                    elif op == "neg":
                        vals[i] = np.negative(vals[n[1]])
                    elif op == "fn":
                        vals[i] = _UNARY[n[1]](np.asarray(vals[n[2]], dtype=np.float64))
                    elif op == "le":
                        vals[i] = np.where(vals[n[1]] <= vals[n[2]], vals[n[3]], vals[n[4]])
                    else:
                        vals[i] = _BIN_OPS[op](vals[n[1]], vals[n[2]])
            return [vals[r] for r in roots]

        return run


def _children(n: tuple) -> tuple[int, ...]:
    op = n[0]
    if op in ("const", "var"):
        return ()
    if op == "neg":
        return (n[1],)
    if op == "fn":
        return (n[2],)
    return tuple(n[1:])


# -- tokenizer ------------------------------------------------------------------------------

_OPS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")


def _tokens(text: str) -> list[tuple[str, object, int]]:
    """``(kind, value, position)`` with kind in num, name, op, end."""
    out: list[tuple[str, object, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c.isascii() and (c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit())):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isascii() and text[k].isdigit():
                    j = k
                    while j < n and text[j].isascii() and text[j].isdigit():
                        j += 1
            v = float(text[i:j])
            if not math.isfinite(v):
                raise FormulaError(f"number {text[i:j][:20]!r} is too large", i)
            out.append(("num", v, i))
            i = j
            continue
        if c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(("name", text[i:j], i))
            i = j
            continue
        if text.startswith("**", i):
            out.append(("op", "^", i))
            i += 2
            continue
        if c in "+-*/^(),":
            out.append(("op", c, i))
            i += 1
            continue
        raise FormulaError(f"unexpected character {c!r}", i)
    out.append(("end", None, n))
    return out


# -- parser ---------------------------------------------------------------------------------


class _Parser:
    """Recursive descent with a depth cap, building nodes on a :class:`Tape`.

    Grammar (``^`` binds right, unary minus below it: ``-x^2 = -(x^2)``, ``2^-1 = 0.5``)::

        expr  := term (("+" | "-") term)*
        term  := unary (("*" | "/") unary)*
        unary := ("-" | "+") unary | power
        power := atom ("^" unary)?
        atom  := number | name | name "(" expr ("," expr)* ")" | "(" expr ")"
    """

    def __init__(self, text: str, tape: Tape) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.pos = 0
        self.depth = 0
        self.tape = tape

    def peek(self) -> tuple[str, object, int]:
        return self.toks[self.pos]

    def take(self) -> tuple[str, object, int]:
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def enter(self, where: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nests more than {MAX_DEPTH} levels deep", where)

    def fold(self, build: Callable[[], int], where: int) -> int:
        try:
            i = build()
        except _NotFinite:
            raise FormulaError("a constant part is infinite or undefined", where) from None
        if len(self.tape.nodes) > MAX_NODES:
            raise FormulaError(f"formula has more than {MAX_NODES} parts", where)
        return i

    def parse(self) -> int:
        if self.peek()[0] == "end":
            raise FormulaError("the formula is empty")
        root = self.expr()
        kind, value, where = self.peek()
        if kind != "end":
            after_number = self.pos > 0 and self.toks[self.pos - 1][0] == "num"
            hint = " (write 2*x, not 2x)" if kind == "name" and after_number else ""
            raise FormulaError(f"unexpected {_describe(kind, value)}{hint}", where)
        return root

    def expr(self) -> int:
        left = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            _, op, where = self.take()
            right = self.term()
            name = "add" if op == "+" else "sub"
            left = self.fold(lambda n=name, a=left, b=right: self.tape.binary(n, a, b), where)
        return left

    def term(self) -> int:
        left = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            _, op, where = self.take()
            right = self.unary()
            name = "mul" if op == "*" else "div"
            left = self.fold(lambda n=name, a=left, b=right: self.tape.binary(n, a, b), where)
        return left

    def unary(self) -> int:
        kind, value, where = self.peek()
        if kind == "op" and value in ("-", "+"):
            self.take()
            self.enter(where)
            inner = self.unary()
            self.depth -= 1
            if value == "+":
                return inner
            return self.fold(lambda: self.tape.neg(inner), where)
        return self.power()

    def power(self) -> int:
        base = self.atom()
        kind, value, where = self.peek()
        if kind == "op" and value == "^":
            self.take()
            self.enter(where)
            exponent = self.unary()
            self.depth -= 1
            return self.fold(lambda: self.tape.binary("pow", base, exponent), where)
        return base

    def atom(self) -> int:
        kind, value, where = self.take()
        if kind == "num":
            return self.fold(lambda: self.tape.const(value), where)
        if kind == "op" and value == "(":
            self.enter(where)
            inner = self.expr()
            self.expect(")", where)
            self.depth -= 1
            return inner
        if kind == "name":
            name = _ALIASES.get(str(value), str(value))
            if self.peek()[:2] == ("op", "("):
                return self.call(name, where)
            if name in _VARIABLES:
                return self.tape.var(name)
            if name in _CONSTANTS:
                return self.tape.const(_CONSTANTS[name])
            if name in FUNCTIONS:
                raise FormulaError(f"function {name} needs its argument in brackets", where)
            raise FormulaError(f"unknown name {str(value)[:20]!r} (use x, y, pi, e)", where)
        raise FormulaError(f"unexpected {_describe(kind, value)}", where)

    def call(self, name: str, where: int) -> int:
        if name not in FUNCTIONS:
            what = "variable" if name in _VARIABLES or name in _CONSTANTS else "function"
            raise FormulaError(
                f"unknown {what} {name[:20]!r} called (functions: {', '.join(FUNCTIONS)})",
                where,
            )
        self.take()  # "("
        self.enter(where)
        args = [self.expr()]
        while self.peek()[:2] == ("op", ","):
            self.take()
            args.append(self.expr())
        self.expect(")", where)
        self.depth -= 1
        want = 2 if name in _BINARY_FUNCS else 1
        if len(args) != want:
            raise FormulaError(
                f"{name} takes {want} argument{'s' if want > 1 else ''}, got {len(args)}", where
            )
        if want == 2:
            return self.fold(lambda: self.tape.binary(name, args[0], args[1]), where)
        return self.fold(lambda: self.tape.fn(name, args[0]), where)

    def expect(self, op: str, opened: int) -> None:
        kind, value, where = self.take()
        if (kind, value) != ("op", op):
            if kind == "end":
                raise FormulaError(f"bracket opened at column {opened + 1} is never closed")
            raise FormulaError(f"expected {op!r}, found {_describe(kind, value)}", where)


def _describe(kind: str, value: object) -> str:
    if kind == "end":
        return "end of formula"
    if kind == "num":
        return f"number {value:g}"
    if kind == "name":
        return f"name {str(value)[:20]!r}"
    return f"{value!r}"


class Formula:
    """A parsed formula f(x, y) with its exact gradient and Hessian.

    Parameters
    ----------
    text : str
        E.g. ``"(1 - x)^2 + 100*(y - x^2)^2"``.

    Raises
    ------
    FormulaError
        One line naming the problem and, where there is one, its column.

    Attributes
    ----------
    text : str
        The formula as given (stripped).
    is_constant : bool
        True when the formula depends on neither x nor y.
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise FormulaError(f"a formula must be text; got {type(text).__name__}")
        text = text.strip()
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH)
        if "\n" in text or "\r" in text:
            raise FormulaError("a formula must be one line", text.find("\n") % len(text))
        self.text = text
        tape = Tape()
        self._root = _Parser(text, tape).parse()
        try:
            fx = tape.derivative(self._root, "x")
            fy = tape.derivative(self._root, "y")
            fxx = tape.derivative(fx, "x")
            fxy = tape.derivative(fx, "y")
            fyy = tape.derivative(fy, "y")
        except _NotFinite:
            raise FormulaError("a constant in the derivatives overflows float64") from None
        self._tape = tape
        self._ids = (self._root, fx, fy, fxx, fxy, fyy)
        self._value = tape.evaluator([self._root])
        self._grad = tape.evaluator([fx, fy])
        self._hess = tape.evaluator([fxx, fxy, fyy])
        self.is_constant = tape.value_of(self._root) is not None

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f at coordinate arrays of one shape; returns that shape, float64."""
        return _shaped(self._value(x, y)[0], x, y)

    def grad(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(df/dx, df/dy)`` as two arrays of the coordinates' shape."""
        gx, gy = self._grad(x, y)
        return _shaped(gx, x, y), _shaped(gy, x, y)

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(f_xx, f_xy, f_yy)`` as three arrays of the coordinates' shape."""
        return tuple(_shaped(v, x, y) for v in self._hess(x, y))

    def expression(self, which: str = "f") -> str:
        """A derivative (``"f"``, ``"fx"``, ``"fy"``, ``"fxx"``, ``"fxy"``, ``"fyy"``) as text."""
        names = ("f", "fx", "fy", "fxx", "fxy", "fyy")
        if which not in names:
            raise ValueError(f"which must be one of {', '.join(names)}; got {which!r}")
        return _to_text(self._tape, self._ids[names.index(which)])

    @property
    def size(self) -> int:
        """Distinct nodes of the formula and its derivatives together."""
        return len(self._tape.nodes)


def _shaped(v: object, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    return np.broadcast_to(np.asarray(v, dtype=np.float64), shape)


_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}


def _to_text(tape: Tape, root: int) -> str:
    """Fully bracketed text of a node (built bottom-up, no recursion)."""
    text: dict[int, str] = {}
    for i in tape.reachable([root]):
        n = tape.nodes[i]
        op = n[0]
        if op == "const":
            text[i] = repr(n[1]) if n[1] >= 0 else f"({n[1]!r})"
        elif op == "var":
            text[i] = n[1]
        elif op == "neg":
            text[i] = f"(-{text[n[1]]})"
        elif op == "fn":
            text[i] = f"{n[1]}({text[n[2]]})"
        elif op == "le":
            text[i] = f"({text[n[3]]} if {text[n[1]]} <= {text[n[2]]} else {text[n[4]]})"
        elif op in ("min", "max"):
            text[i] = f"{op}({text[n[1]]}, {text[n[2]]})"
        else:
            text[i] = f"({text[n[1]]} {_SYMBOL[op]} {text[n[2]]})"
    return text[root]


def parse_formula(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`; raises :class:`FormulaError` (one line)."""
    return Formula(text)
