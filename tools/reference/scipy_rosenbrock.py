#!/usr/bin/env python3
"""SciPy's iteration and evaluation counts on Rosenbrock from (-1.2, 1), for Descent's second-order tests.

Writes tests/Descent.Tests/Optim/Reference/scipy_rosenbrock.json: for each method, SciPy's nit, nfev,
njev, nhev, status and the final gradient norm, run until the gradient norm is below 1e-6
(the 2-norm for CG and BFGS via options norm=2; L-BFGS-B only offers the infinity norm of the
projected gradient, and its relative-reduction test ftol is switched off so that it stops on gtol).
Also SciPy's strong-Wolfe line search (scipy.optimize.line_search: Nocedal & Wright Alg. 3.5/3.6)
on Rosenbrock along the steepest-descent direction from a few points, with the accepted step and
its counts.

Run with Debian's python3-scipy: /usr/bin/python3 tools/reference/scipy_rosenbrock.py
"""
import json
import os

import numpy as np
import scipy
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess, rosen_hess_prod, line_search

X0 = np.array([-1.2, 1.0])
GTOL = 1e-6


def run(method, **kw):
    r = minimize(rosen, X0, method=method, jac=rosen_der, **kw)
    g = rosen_der(r.x)
    return {
        "method": method,
        "nit": int(r.nit),
        "nfev": int(r.nfev),
        "njev": int(getattr(r, "njev", 0) or 0),
        "nhev": int(getattr(r, "nhev", 0) or 0),
        "status": int(r.status),
        "success": bool(r.success),
        "message": str(r.message),
        "x": [float(v) for v in r.x],
        "grad_norm": float(np.linalg.norm(g)),
    }


results = [
    run("CG", options={"gtol": GTOL, "norm": 2, "maxiter": 10000}),
    run("BFGS", options={"gtol": GTOL, "norm": 2, "maxiter": 10000}),
    run("L-BFGS-B", options={"gtol": GTOL, "ftol": 0.0, "maxcor": 10, "maxiter": 10000}),
    run("Newton-CG", hess=rosen_hess),
]

searches = []
for start in ([-1.2, 1.0], [0.0, 0.0], [1.5, 1.5], [-0.5, 0.8]):
    x = np.array(start)
    g = rosen_der(x)
    p = -g
    alpha, fc, gc, f_new, f_old, _ = line_search(rosen, rosen_der, x, p, gfk=g, old_fval=rosen(x), c1=1e-4, c2=0.9)
    searches.append({"start": start, "alpha": None if alpha is None else float(alpha), "fc": int(fc), "gc": int(gc),
                     "f": None if f_new is None else float(f_new)})

out = {
    "generator": "tools/reference/scipy_rosenbrock.py",
    "scipy": scipy.__version__,
    "start": X0.tolist(),
    "gtol": GTOL,
    "methods": results,
    "wolfe_line_search": searches,
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Descent.Tests", "Optim", "Reference", "scipy_rosenbrock.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out, indent=1))
