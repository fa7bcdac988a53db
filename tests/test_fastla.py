"""cmwork.fastla: python-flint's matrices against mpmath's, at the same
working precision (two implementations, one precision), and the errors."""
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cmwork import fastla

pytest.importorskip("flint")


def _random(n, k, seed):
    rng = np.random.default_rng(seed)
    return mpmath.matrix(rng.standard_normal((n, k)).tolist())


def _maxabs(A):
    return max(abs(A[i, j]) for i in range(A.rows) for j in range(A.cols))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 12), k=st.integers(1, 5), seed=st.integers(0, 10**6),
       dps=st.sampled_from([30, 60, 90]))
def test_flint_products_and_solves_equal_mpmaths(n, k, seed, dps):
    with mpmath.workdps(dps):
        A = _random(n, n, seed) + 3 * mpmath.eye(n)
        B = _random(n, k, seed + 1)
        C = _random(k, n, seed + 2)
        out = {}
        for name in ("flint", "mpmath"):
            with fastla.using(name):
                out[name] = (fastla.matmul(A, B, C), fastla.solve(A, B))
        tol = mpmath.mpf(10) ** (-(dps - 6))
        for a, b in zip(out["flint"], out["mpmath"]):
            assert _maxabs(a - b) <= tol * (1 + _maxabs(b))
        # and the solve solves: A X = B to the working precision
        X = out["flint"][1]
        assert _maxabs(A * X - B) <= tol * (1 + _maxabs(B))


def test_a_wrong_product_order_is_seen(monkeypatch):
    # the comparison above can fail: B A is not A B
    with mpmath.workdps(30):
        A, B = _random(4, 4, 1), _random(4, 4, 2)
        monkeypatch.setattr(fastla, "BACKEND", "flint")
        assert _maxabs(fastla.matmul(B, A) - A * B) > 1e-3


def test_singular_solve_raises_zero_division(monkeypatch):
    for name in ("flint", "mpmath"):
        monkeypatch.setattr(fastla, "BACKEND", name)
        with mpmath.workdps(30):
            A = mpmath.matrix([[1, 1], [1, 1]])
            with pytest.raises(ZeroDivisionError):
                fastla.solve(A, mpmath.matrix([[1], [2]]))


def test_eigvalsh_equals_eigsy(monkeypatch):
    with mpmath.workdps(50):
        M = _random(9, 9, 7)
        H = M + M.T
        ref = sorted(mpmath.eigsy(H, eigvals_only=True))
        monkeypatch.setattr(fastla, "BACKEND", "flint")
        got = fastla.eigvalsh(H)
        assert max(abs(a - b) for a, b in zip(got, ref)) < mpmath.mpf(10) ** -44


def test_bad_backend_is_named():
    with pytest.raises(ValueError, match="BACKEND='gpu'.*auto, flint or mpmath"):
        with fastla.using("gpu"):
            pass
    assert fastla.BACKEND == "auto"


def test_without_python_flint_auto_falls_back_and_flint_is_refused(
        monkeypatch):
    monkeypatch.setattr(fastla, "_flint_module", lambda: None)
    assert fastla.backend() == "mpmath"
    with mpmath.workdps(30):
        H = _random(3, 3, 1)
        H = H + H.T
        assert fastla.eigh(H)[3] == "mpmath"
    with pytest.raises(ImportError, match=r"pip install 'cmwork\[cert\]'"):
        with fastla.using("flint"):
            pass
