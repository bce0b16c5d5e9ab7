"""Golden file for belm's KID (kernel Inception distance), made with numpy from torch-fidelity's formula.

  python3 generate_kid.py        (in this folder; needs numpy)

kid.json: two float32 feature sets (a: 60 rows, b: 45 rows, width 16, b shifted so the value is clearly
positive) and, for a few (subsets, subset_size, seed), the mean and standard deviation of the subsets' unbiased
MMD² with the cubic polynomial kernel k(x, y) = (x·y / d + 1)³ — torch-fidelity's `mmd2` with `kernel_poly`
(degree 3, gamma 1/d, coef0 1), in float64. The subsets are drawn as belm draws them (SplitMix64, the first
places of a Fisher–Yates shuffle, a then b in each round), repeated here in Python integers; the last case asks
for subsets larger than b, which take b's size (as clean-fid does).
"folders": the same for pytorch-fid's own features of folder_a and folder_b (stored in folders.safetensors by
generate_inception.py, seeded stand-in weights): what belm's features of the two folders must give.
"""
import json

import numpy as np
from safetensors.numpy import load_file

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def sample(count, n, generator):
    indices = list(range(n))
    for i in range(count):
        j = i + generator.next() % (n - i)
        indices[i], indices[j] = indices[j], indices[i]
    return indices[:count]


def kernel_poly(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2(f1, f2):
    """torch-fidelity's unbiased estimator, line for line."""
    k_11, k_22, k_12 = kernel_poly(f1, f1), kernel_poly(f2, f2), kernel_poly(f1, f2)
    m = f1.shape[0]
    kt_xx_sum = (k_11.sum(axis=-1) - np.diag(k_11)).sum()
    kt_yy_sum = (k_22.sum(axis=-1) - np.diag(k_22)).sum()
    k_xy_sum = k_12.sum(axis=0).sum()
    return (kt_xx_sum + kt_yy_sum) / (m * (m - 1)) - 2 * k_xy_sum / (m * m)


def kid(a, b, subsets, subset_size, seed):
    m = min(subset_size, len(a), len(b))
    generator = SplitMix64(seed)
    values = []
    for _ in range(subsets):
        x = a[sample(m, len(a), generator)].astype(np.float64)
        y = b[sample(m, len(b), generator)].astype(np.float64)
        values.append(mmd2(x, y))
    return {"subsets": subsets, "subset_size": subset_size, "seed": seed, "subset_size_used": m,
            "mean": float(np.mean(values)), "std": float(np.std(values))}


rng = np.random.default_rng(1000)
a = rng.standard_normal((60, 16)).astype(np.float32)
b = (rng.standard_normal((45, 16)) * 1.2 + 0.4).astype(np.float32)
cases = [kid(a, b, 10, 20, 0), kid(a, b, 7, 30, 12345), kid(a, b, 3, 1000, 0)]
folders = load_file("folders.safetensors")
folder_case = kid(folders["a_features"], folders["b_features"], 4, 1000, 0)
with open("kid.json", "w") as f:
    json.dump({"width": 16, "a": [float(v) for v in a.ravel()], "b": [float(v) for v in b.ravel()], "cases": cases,
               "folders": folder_case}, f, indent=1)
print("folders", folder_case)
for case in cases:
    print(case)
