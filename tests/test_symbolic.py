"""The index-form entries against a whole-expression derivation, and the
derivations against the paper."""
import sympy as sp

from cmwork import symbolic as S


def _whole_expression_m2():
    """J_2 for rho = b1 e^{-v1 t} + b2 e^{-v2 t}, integrated by SymPy whole."""
    t = sp.Symbol("t", nonnegative=True)
    a1, a2, b1, b2 = sp.symbols("a1 a2 b1 b2", real=True)
    w1, w2, v1, v2 = sp.symbols("w1 w2 v1 v2", positive=True)
    model = a1 * sp.exp(-w1 * t) + a2 * sp.exp(-w2 * t)
    rho = b1 * sp.exp(-v1 * t) + b2 * sp.exp(-v2 * t)
    J = sp.integrate(sp.expand((model - rho) ** 2), (t, 0, sp.oo),
                     conds="none")
    return J, (a1, a2, w1, w2), (b1, b2, v1, v2)


def _index_form(name, k, l, theta, target):
    a1, a2, w1, w2 = theta
    b1, b2, v1, v2 = target
    a, w = [a1, a2], [w1, w2]
    reps = {S.a_k: a[k], S.w_k: w[k], S.a_l: a[l], S.w_l: w[l]}
    for n in range(3):
        for idx, Ssyms, Msyms in ((k, S.S_k, S.M_k), (l, S.S_l, S.M_l)):
            s = w[idx]
            reps[Ssyms[n]] = sum(ai / (s + wi) ** (n + 1) for ai, wi in zip(a, w))
            reps[Msyms[n]] = sp.factorial(n) * (b1 / (s + v1) ** (n + 1)
                                                + b2 / (s + v2) ** (n + 1))
    return getattr(S.loss_entries(), name).xreplace(reps)


def test_index_form_hessian_equals_whole_expression_hessian_m2():
    J, theta, target = _whole_expression_m2()
    a1, a2, w1, w2 = theta
    names = {(a1, a1): ("aa_kk", 0, 0), (a1, a2): ("aa", 0, 1),
             (a1, w1): ("aw_kk", 0, 0), (a1, w2): ("aw", 0, 1),
             (w1, w1): ("ww_kk", 0, 0), (w1, w2): ("ww", 0, 1),
             (a2, w1): ("aw", 1, 0)}
    for (x, y), (name, k, l) in names.items():
        whole = sp.diff(J, x, y)
        index = _index_form(name, k, l, theta, target)
        assert sp.simplify(whole - index) == 0, (x, y)


def test_index_form_gradient_equals_whole_expression_gradient_m2():
    J, theta, target = _whole_expression_m2()
    a1, a2, w1, w2 = theta
    for x, name, k in ((a1, "grad_a", 0), (w2, "grad_w", 1)):
        whole = sp.diff(J, x)
        index = _index_form(name, k, 1 - k, theta, target)
        assert sp.simplify(whole - index) == 0


def test_index_form_value_equals_whole_expression_up_to_the_norm():
    J, theta, target = _whole_expression_m2()
    b1, b2, v1, v2 = target
    norm = sp.integrate(sp.expand((b1 * sp.exp(-v1 * S.t)
                                   + b2 * sp.exp(-v2 * S.t)) ** 2),
                        (S.t, 0, sp.oo), conds="none")
    value = sum(_index_form_value(k, theta, target) for k in range(2)) + norm
    assert sp.simplify(J - value) == 0


def _index_form_value(k, theta, target):
    a1, a2, w1, w2 = theta
    b1, b2, v1, v2 = target
    a, w = [a1, a2], [w1, w2]
    reps = {S.a_k: a[k], S.w_k: w[k],
            S.S_k[0]: sum(ai / (w[k] + wi) for ai, wi in zip(a, w)),
            S.M_k[0]: b1 / (w[k] + v1) + b2 / (w[k] + v2)}
    return S.value_entry().xreplace(reps)


def test_all_printed_formulas_of_92_to_100_match_their_derivation():
    from proofs import eq_92_99
    d = eq_92_99.derive()
    assert d.all_match
    assert {"eq. (92)", "eq. (93)", "eq. (97)", "eq. (99)", "eq. (100)"} <= {
        s.where for s in d.steps}


def test_errata_of_section_4_2_2_are_the_remark_4_6_entry_and_nothing_else():
    # by hand: H_33 - H_13^2/H_11 = a^2/(2w^3) - 2 a D2
    #          - w (-a/(2w^2) + 2 D1)^2 = a^2/(4w^3) + 2 a D1/w - 2 a D2 - 4 w D1^2
    from proofs import all_derivations, remark_4_6 as R
    section = {"eq-92-99", "lemma-4.1", "remark-4.6"}
    errata = [s for d in all_derivations() if d.id in section for s in d.errata]
    assert [s.where for s in errata] == [
        "Remark 4.6, transformed matrix, entry (3,3)"]
    a, w, D1, D2 = R.a1, R.w_s, R.D1, R.D2
    by_hand = a ** 2 / (4 * w ** 3) + 2 * a * D1 / w - 2 * a * D2 - 4 * w * D1 ** 2
    assert sp.simplify(errata[0].derived - by_hand) == 0
    assert sp.simplify(errata[0].printed - by_hand
                       - 4 * w * D1 ** 2 + 4 * w * D2 ** 2) == 0


def test_a_wrong_printed_formula_is_reported_as_differing():
    from cmwork.derivation import Step
    s = Step("x", sp.Symbol("x"), S.a_k / (2 * S.w_k ** 2), "test",
             printed=-S.a_k / (2 * S.w_k ** 2)).compare()
    assert s.matches is False
