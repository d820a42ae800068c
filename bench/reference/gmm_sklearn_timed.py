#!/usr/bin/env python3
"""bench/gmm's reference: the paper's recursive GMM loop with scikit-learn (as ../shared/bench/gmm_sklearn.py:
2-D standard normal real data, M=1000, 2-component full-covariance GaussianMixture, tol 1e-5, max_iter 2000,
replace), timing every generation and recording its EM iterations (n_iter_), so that bench/gmm compares equal
work: the same generations, and the EM iterations each side needed. Prints one JSON object.
Usage: gmm_sklearn_timed.py [--generations G] [--seed S]
"""
import argparse, json, time
import numpy as np
from sklearn.mixture import GaussianMixture

ap = argparse.ArgumentParser()
ap.add_argument("--generations", type=int, default=2001)
ap.add_argument("--samples", type=int, default=1000)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
x = rng.standard_normal((a.samples, 2))
seconds, iterations = [], []
for g in range(a.generations):
    t = time.perf_counter()
    gm = GaussianMixture(n_components=2, covariance_type="full", tol=1e-5, max_iter=2000,
                         random_state=int(rng.integers(2**31))).fit(x)
    x, _ = gm.sample(a.samples)
    seconds.append(time.perf_counter() - t)
    iterations.append(int(gm.n_iter_))
print(json.dumps({"seconds": seconds, "iterations": iterations}))
