#!/usr/bin/env python3
"""belm against PyTorch on the ddpm-cifar10-32 UNet, per precision, in one run, with the ratios side by side.

    python3 Benchmarks/compare_unet.py [--belm .build/release/belm] [--backends vulkan] [--batch-sizes 1 8 32]
                                       [--precisions fp32 fp16] [--torch-half fp16] [--repeats 3] [--threads 2]
                                       [--device cpu] [--tf32]

Runs `belm bench --precision P` for each backend and precision (a release build: `swift build -c release`), then
diffusers' UNet2DModel in PyTorch with the same configuration, random weights and batch sizes
(Benchmarks/unet2d_pytorch.py), and prints GFLOP/s and belm's throughput as a fraction of PyTorch's, one row per
precision and batch size, under a line naming the machine. The runs follow one another, so nothing else should be
running on the machine. Not part of CI; needs torch and diffusers from PyPI.

The precisions are not the same arithmetic on both sides. belm's fp16 stores the linear and convolution weights in
fp16 and keeps activations and accumulation in fp32. PyTorch has no such mode; its fp16 row runs the model under
torch.autocast with --torch-half (fp16 or bf16: weights and activations of convolutions and matmuls in that type,
normalization and softmax in fp32). If that dtype does not run on the device, the other one is tried; the table
names the dtype each row used.
"""
import argparse
import contextlib
import os
import platform
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet2d_pytorch import time_forward  # noqa: E402

HALF_DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def belm_bench(binary, backend, precision, batch_sizes, repeats):
    """{batch: GFLOP/s} parsed from `belm bench`'s table."""
    command = [binary, "bench", "--configuration", "ddpm-cifar10-32", "--backend", backend, "--precision", precision,
               "--repeats", str(repeats), "--batch-sizes", *map(str, batch_sizes)]
    print("$ " + " ".join(command), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    print(output, end="", flush=True)
    rows = {}
    for line in output.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0].isdigit():
            rows[int(fields[0])] = float(fields[4])
    missing = [b for b in batch_sizes if b not in rows]
    if missing:
        raise SystemExit(f"belm bench printed no row for batch sizes {missing}; its output is above")
    return rows


def machine_description(binary, backends, device):
    """CPU model and core count, belm's chosen Vulkan device (from `belm devices`) and PyTorch's device."""
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), cpu)
    lines = [f"machine: {cpu}, {os.cpu_count()} cores"]
    if "vulkan" in backends:
        listing = subprocess.run([binary, "devices"], capture_output=True, text=True).stdout.splitlines()
        chosen = next((line[2:] for line in listing if line.startswith("* ")), "none chosen (see `belm devices`)")
        lines.append(f"belm vulkan device: {chosen}")
        if os.environ.get("BELM_VULKAN_COOPMAT") == "1":
            lines.append("belm: BELM_VULKAN_COOPMAT=1 (fp16 weights on cooperative matrices where the device has them)")
    torch_device = torch.cuda.get_device_name() if device.startswith("cuda") else device
    lines.append(f"PyTorch {torch.__version__} on {torch_device}")
    return "\n".join(lines)


def runnable_half_dtype(preferred, device):
    """The first of preferred, then the other half dtype, whose autocast runs a convolution on device; None if neither."""
    for name in [preferred] + [n for n in HALF_DTYPES if n != preferred]:
        try:
            with torch.no_grad(), torch.autocast(torch.device(device).type, dtype=HALF_DTYPES[name]):
                torch.nn.Conv2d(4, 4, 3).to(device)(torch.randn(1, 4, 8, 8, device=device))
            return name
        except RuntimeError as error:
            print(f"PyTorch {name} autocast does not run on {device}: {error}", flush=True)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--belm", default=".build/release/belm")
    parser.add_argument("--backends", nargs="+", default=["vulkan"], help="belm backends to time (cpu is slow at batch 32)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--precisions", nargs="+", choices=["fp32", "fp16"], default=["fp32", "fp16"])
    parser.add_argument("--torch-half", choices=list(HALF_DTYPES), default="fp16",
                        help="PyTorch's autocast dtype for the fp16 rows (the other is tried if it does not run)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="PyTorch's CPU threads")
    parser.add_argument("--device", default="cpu", help="PyTorch's device (cuda on a GPU machine)")
    parser.add_argument("--tf32", action="store_true", help="let PyTorch on CUDA use TF32 (default: true fp32)")
    args = parser.parse_args()
    if not os.access(args.belm, os.X_OK):
        raise SystemExit(f"{args.belm}: no belm binary; build one with `swift build -c release` or pass --belm PATH")

    table = []  # (precision, torch dtype label, batch, [belm GFLOP/s per backend], torch GFLOP/s or None)
    for precision in args.precisions:
        belm = {b: belm_bench(args.belm, b, precision, args.batch_sizes, args.repeats) for b in args.backends}
        if precision == "fp32":
            dtype, context = "fp32" + (" (TF32)" if args.tf32 else ""), contextlib.nullcontext()
        else:
            half = runnable_half_dtype(args.torch_half, args.device)
            dtype = f"{half} autocast" if half else "did not run"
            context = torch.autocast(torch.device(args.device).type, dtype=HALF_DTYPES[half]) if half else None
        torch_rates = {}
        if context is not None:
            with context:
                rows = time_forward(args.batch_sizes, args.repeats, args.threads, args.device, args.tf32)
            torch_rates = {batch: gflop * batch / seconds for batch, seconds, gflop in rows}
        for batch in args.batch_sizes:
            table.append((precision, dtype, batch, [belm[b][batch] for b in args.backends], torch_rates.get(batch)))

    threads = f", {args.threads} threads" if args.device == "cpu" else ""
    print(f"\nddpm-cifar10-32 UNet forward, random weights; GFLOP/s and belm ÷ PyTorch {args.device}{threads}")
    print(machine_description(args.belm, args.backends, args.device))
    columns = ([f"belm {b} GFLOP/s" for b in args.backends] + ["torch dtype", "torch GFLOP/s"]
               + [f"{b} ÷ torch" for b in args.backends])
    print("belm  batch  " + "  ".join(f"{c:>18}" for c in columns))
    for precision, dtype, batch, belm_rates, torch_rate in table:
        ratios = [f"{r / torch_rate:18.3f}" if torch_rate else f"{'—':>18}" for r in belm_rates]
        torch_cell = f"{torch_rate:18.3f}" if torch_rate else f"{'—':>18}"
        print(f"{precision:4}  {batch:5d}  " + "  ".join([f"{r:18.3f}" for r in belm_rates] + [f"{dtype:>18}", torch_cell]
                                                          + ratios))


if __name__ == "__main__":
    main()
