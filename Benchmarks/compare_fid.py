#!/usr/bin/env python3
"""belm's FID against pytorch-fid on this machine, in one run, side by side.

    python3 Benchmarks/compare_fid.py [--belm .build/release/belm] [--backend vulkan] [--batch 16] [--threads 2]

- Inception features per second at 32² and 256² inputs (each resized to 299², as pytorch-fid does): `belm fid-stats`
  on folders of N and 2N random PNGs (the difference of the two times, so loading the weights and the process start
  do not count), and pytorch-fid's InceptionV3 on the CPU with the same batch and the same stand-in weights
  (Tests/FIDTests/Fixtures/seeded_inception.py) on the same images.
- The Fréchet distance at 2048²: `belm fid` on two .npz statistics files (full rank, from 4096 samples; the time
  includes reading the two 32 MB files) beside pytorch-fid's calculate_frechet_distance, with both values.

A release build is needed (`swift build -c release --product belm`); needs numpy, scipy, torch, pytorch-fid, pillow.
Not part of CI. Nothing else should be running on the machine.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "FIDTests", "Fixtures"))
from pytorch_fid_import import calculate_frechet_distance  # noqa: E402
from seeded_inception import seeded_network, seeded_state_dict  # noqa: E402


def write_folder(folder, count, side, rng):
    os.makedirs(folder, exist_ok=True)
    for index in range(count):
        pixels = rng.integers(0, 256, size=(side, side, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(folder, f"{index:05d}.png"))


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def belm_features_per_second(args, weights, work, side, rng):
    folders = {}
    for count in (args.batch, 2 * args.batch):
        folders[count] = os.path.join(work, f"images-{side}-{count}")
        write_folder(folders[count], count, side, rng)

    def run(count):
        return timed([args.belm, "fid-stats", "--inception", weights, "--images", folders[count],
                      "--out", os.path.join(work, "stats.npz"), "--batch-size", str(args.batch), "--backend", args.backend])

    run(args.batch)  # warm-up: the weights file into the page cache, the shaders through the driver's cache
    return args.batch / (run(2 * args.batch) - run(args.batch))


def torch_features_per_second(model, batch, side, rng, repeats=3):
    images = torch.from_numpy(rng.uniform(size=(batch, 3, side, side)).astype(np.float32))
    with torch.no_grad():
        model(images)
        start = time.perf_counter()
        for _ in range(repeats):
            model(images)
    return batch * repeats / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--belm", default=os.path.join(HERE, "..", ".build", "release", "belm"))
    parser.add_argument("--backend", default="vulkan")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as work:
        weights = os.path.join(work, "seeded-inception.safetensors")
        save_file({k: v for k, v in seeded_state_dict().items() if not k.endswith("num_batches_tracked")}, weights)
        model = seeded_network()
        print(f"Inception features per second (batch {args.batch}, resized to 299², torch threads {args.threads})")
        print(f"{'input':>8} {'belm ' + args.backend:>14} {'pytorch-fid cpu':>16} {'ratio':>7}")
        for side in (32, 256):
            ours = belm_features_per_second(args, weights, work, side, rng)
            theirs = torch_features_per_second(model, args.batch, side, rng)
            print(f"{side:>7}² {ours:>14.2f} {theirs:>16.2f} {ours / theirs:>7.2f}", flush=True)

        samples = [rng.standard_normal((4096, 2048)) @ (rng.standard_normal((2048, 2048)) / 45) + shift
                   for shift in (0.0, 0.1)]
        stats = [(s.mean(axis=0), np.cov(s, rowvar=False)) for s in samples]
        paths = []
        for index, (mu, sigma) in enumerate(stats):
            paths.append(os.path.join(work, f"stats-{index}.npz"))
            np.savez(paths[-1], mu=mu, sigma=sigma)
        start = time.perf_counter()
        ours = subprocess.run([args.belm, "fid", *paths], check=True, capture_output=True, text=True).stdout
        belm_seconds = time.perf_counter() - start
        start = time.perf_counter()
        theirs = calculate_frechet_distance(*stats[0], *stats[1])
        scipy_seconds = time.perf_counter() - start
        print(f"Fréchet distance at 2048²: belm {belm_seconds:.2f} s (with reading both files) = {float(ours):.10g}; "
              f"pytorch-fid {scipy_seconds:.2f} s = {theirs:.10g}; relative difference "
              f"{abs(float(ours) - theirs) / theirs:.2e}")


if __name__ == "__main__":
    main()
