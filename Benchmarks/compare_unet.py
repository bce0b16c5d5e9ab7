#!/usr/bin/env python3
"""belm against PyTorch on the ddpm-cifar10-32 UNet, in one run, with the ratios side by side.

    python3 Benchmarks/compare_unet.py [--belm .build/release/belm] [--backends vulkan] [--batch-sizes 1 8 32]
                                       [--repeats 3] [--threads 2] [--device cpu] [--tf32]

Runs `belm bench` for each backend (a release build: `swift build -c release`), then diffusers' UNet2DModel in
PyTorch with the same configuration, random weights and batch sizes (Benchmarks/unet2d_pytorch.py), and prints
images per second, GFLOP/s and belm's throughput as a fraction of PyTorch's. The runs follow one another, so
nothing else should be running on the machine. Not part of CI; needs torch and diffusers from PyPI.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet2d_pytorch import time_forward  # noqa: E402


def belm_bench(binary, backend, batch_sizes, repeats):
    """{batch: (seconds per forward, GFLOP/s)} parsed from `belm bench`'s table."""
    command = [binary, "bench", "--configuration", "ddpm-cifar10-32", "--backend", backend, "--repeats", str(repeats),
               "--batch-sizes", *map(str, batch_sizes)]
    print("$ " + " ".join(command), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    print(output, end="", flush=True)
    rows = {}
    for line in output.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0].isdigit():
            rows[int(fields[0])] = (float(fields[1]), float(fields[4]))
    missing = [b for b in batch_sizes if b not in rows]
    if missing:
        raise SystemExit(f"belm bench printed no row for batch sizes {missing}; its output is above")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--belm", default=".build/release/belm")
    parser.add_argument("--backends", nargs="+", default=["vulkan"], help="belm backends to time (cpu is slow at batch 32)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="PyTorch's CPU threads")
    parser.add_argument("--device", default="cpu", help="PyTorch's device (cuda on a GPU machine)")
    parser.add_argument("--tf32", action="store_true", help="let PyTorch on CUDA use TF32 (default: true fp32)")
    args = parser.parse_args()
    if not os.access(args.belm, os.X_OK):
        raise SystemExit(f"{args.belm}: no belm binary; build one with `swift build -c release` or pass --belm PATH")

    belm = {backend: belm_bench(args.belm, backend, args.batch_sizes, args.repeats) for backend in args.backends}
    torch_rows = time_forward(args.batch_sizes, args.repeats, args.threads, args.device, args.tf32)
    label = f"torch {args.device}" + (f" {args.threads} thr" if args.device == "cpu" else "") + (" tf32" if args.tf32 else "")
    print(f"\nddpm-cifar10-32 UNet forward, random weights; GFLOP/s and belm ÷ {label}")
    columns = [f"{b} GFLOP/s" for b in args.backends] + [f"{b} ÷ torch" for b in args.backends] + ["torch GFLOP/s"]
    print("batch  " + "  ".join(f"{c:>16}" for c in columns))
    for batch, seconds, gflop in torch_rows:
        torch_rate = gflop * batch / seconds
        values = [belm[b][batch][1] for b in args.backends] + [belm[b][batch][1] / torch_rate for b in args.backends] + [torch_rate]
        print(f"{batch:5d}  " + "  ".join(f"{v:16.3f}" for v in values))


if __name__ == "__main__":
    main()
