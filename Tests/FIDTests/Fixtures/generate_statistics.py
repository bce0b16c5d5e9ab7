"""Golden files for belm's .npz reader and Fréchet distance, made with numpy and pytorch-fid itself.

  python3 generate_statistics.py        (in this folder; needs numpy, scipy, torch, pytorch-fid)

- stats_a.npz (np.savez, stored) and stats_b.npz (np.savez_compressed, deflated): full-rank mu/sigma of width 64;
  frechet.json: pytorch-fid's calculate_frechet_distance between them, and on a rank-deficient pair.
- low_rank_a.npz / low_rank_b.npz: covariances of 20 samples in 64 dimensions (singular, as FID of few images is).
- features.npz: 50 float32 feature rows with np.mean / np.cov (rowvar=False) of them, for the moment sums.
- fortran_f32.npz: a float32 array in Fortran order, for the reader.
"""
import json

import numpy as np

from pytorch_fid_import import calculate_frechet_distance

rng = np.random.default_rng(20151205)


def gaussian_samples(count, width, shift):
    mixing = rng.standard_normal((width, width)) / np.sqrt(width)
    return rng.standard_normal((count, width)) @ mixing + shift


def stats(samples):
    return samples.mean(axis=0), np.cov(samples, rowvar=False)


mu_a, sigma_a = stats(gaussian_samples(400, 64, 0.0))
mu_b, sigma_b = stats(gaussian_samples(400, 64, 0.3))
np.savez("stats_a.npz", mu=mu_a, sigma=sigma_a)
np.savez_compressed("stats_b.npz", mu=mu_b, sigma=sigma_b)

low_mu_a, low_sigma_a = stats(gaussian_samples(20, 64, 0.0))
low_mu_b, low_sigma_b = stats(gaussian_samples(20, 64, 0.5))
np.savez("low_rank_a.npz", mu=low_mu_a, sigma=low_sigma_a)
np.savez("low_rank_b.npz", mu=low_mu_b, sigma=low_sigma_b)

features = gaussian_samples(50, 8, 1.0).astype(np.float32)
np.savez("features.npz", features=features, mu=features.astype(np.float64).mean(axis=0),
         sigma=np.cov(features.astype(np.float64), rowvar=False))

np.savez("fortran_f32.npz", array=np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)))

with open("frechet.json", "w") as f:
    json.dump({
        "full_rank": float(calculate_frechet_distance(mu_a, sigma_a, mu_b, sigma_b)),
        "low_rank": float(calculate_frechet_distance(low_mu_a, low_sigma_a, low_mu_b, low_sigma_b)),
        "same": float(calculate_frechet_distance(mu_a, sigma_a, mu_a, sigma_a)),
    }, f, indent=2)
    f.write("\n")
