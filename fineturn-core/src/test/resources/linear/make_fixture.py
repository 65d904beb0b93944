"""Writes logistic_regression.json: small data sets and scikit-learn's multinomial L2 logistic
regression fitted to them, the reference LogisticRegressionTest compares against.

scikit-learn's L-BFGS stops on its relative decrease of f (ftol = 64 eps) before reaching tol, leaving
its coefficients about 1e-4 from the optimum; "coef_newton" and "intercept_newton" are that solution
polished by Newton's method on the same objective, C * sum(cross-entropy) + ||W||^2 / 2.

Run from this directory with a Python that has numpy and scikit-learn:
    python3 make_fixture.py
"""
import json

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

C = 0.5


def make_case(name, n, d, k, seed):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.5, size=(k, d))
    y = np.arange(n) % k
    rng.shuffle(y)
    x = centers[y] + rng.normal(0.0, 1.0, size=(n, d)) + rng.uniform(-2.0, 2.0, size=d)
    # The Java side reads the rows as float32; fit on exactly those values.
    x = x.astype(np.float32).astype(np.float64)
    model = LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs", tol=1e-10, max_iter=10000)
    model.fit(x, y)
    coef = model.coef_
    intercept = model.intercept_
    if k == 2:
        # scikit-learn reports only the second class's row; the multinomial fit's rows sum to zero.
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    logits = x @ coef.T + intercept
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert np.allclose(p, model.predict_proba(x), rtol=0, atol=1e-12)
    coef_newton, intercept_newton, gradient = newton(x, y, k, coef, intercept)
    return {
        "name": name,
        "n": n,
        "d": d,
        "k": k,
        "C": C,
        "x": [float(v) for v in x.ravel()],
        "y": [int(v) for v in y],
        "coef": [float(v) for v in coef.ravel()],
        "intercept": [float(v) for v in intercept],
        "iterations": int(model.n_iter_[0]),
        "coef_newton": [float(v) for v in coef_newton.ravel()],
        "intercept_newton": [float(v) for v in intercept_newton],
        "newton_gradient_max_norm": gradient,
    }


def newton(x, y, k, coef, intercept):
    """Newton steps on theta = [W | b] per class (rows [k, d + 1]) from scikit-learn's solution."""
    n, d = x.shape
    xa = np.hstack([x, np.ones((n, 1))])
    onehot = np.eye(k)[y]
    penalty = np.kron(np.eye(k), np.diag(np.r_[np.ones(d), 0.0]))
    theta = np.hstack([coef, intercept[:, None]])
    for _ in range(50):
        z = xa @ theta.T
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = C * (p - onehot).T @ xa + theta * np.r_[np.ones(d), 0.0]
        hess = penalty.copy()
        for i in range(n):
            hess += C * np.kron(np.diag(p[i]) - np.outer(p[i], p[i]), np.outer(xa[i], xa[i]))
        # The Hessian is singular along a shift shared by all biases; least squares takes no such step.
        step = np.linalg.lstsq(hess, grad.ravel(), rcond=1e-13)[0]
        theta = theta - step.reshape(k, d + 1)
    return theta[:, :d], theta[:, d], float(np.abs(grad).max())


def main():
    cases = [make_case("three_classes", 60, 5, 3, 20240601), make_case("two_classes", 40, 4, 2, 7)]
    fixture = {"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}
    with open("logistic_regression.json", "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
