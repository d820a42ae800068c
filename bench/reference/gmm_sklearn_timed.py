#!/usr/bin/env python3
"""bench/gmm's reference: the paper's recursive GMM loop with scikit-learn (as ../shared/bench/gmm_sklearn.py:
2-D standard normal real data, M=1000, 2-component full-covariance GaussianMixture, tol 1e-5, max_iter 2000,
replace), timing every generation (the fit, then a draw of M points) and recording its EM iterations (n_iter_).

With --data FILE, generation g fits the g-th training set of a collapse-lab loop (raw little-endian float64,
G x M x 2) instead of its own previous draw, so both sides fit identical data sets: equal work, generation by
generation (the EM iterations a fit needs depend mostly on its data, and they vary by 4x between random loops).
Prints one JSON object. Usage: gmm_sklearn_timed.py [--generations G] [--seed S] [--data FILE]
"""
import argparse, json, time
import numpy as np
from sklearn.mixture import GaussianMixture

ap = argparse.ArgumentParser()
ap.add_argument("--generations", type=int, default=2001)
ap.add_argument("--samples", type=int, default=1000)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--data")
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
given = None
if a.data:
    given = np.fromfile(a.data, dtype="<f8").reshape(a.generations, a.samples, 2)
x = rng.standard_normal((a.samples, 2))
seconds, iterations = [], []
for g in range(a.generations):
    if given is not None:
        x = given[g]
    t = time.perf_counter()
    gm = GaussianMixture(n_components=2, covariance_type="full", tol=1e-5, max_iter=2000,
                         random_state=int(rng.integers(2**31))).fit(x)
    x, _ = gm.sample(a.samples)
    seconds.append(time.perf_counter() - t)
    iterations.append(int(gm.n_iter_))
print(json.dumps({"seconds": seconds, "iterations": iterations}))
