#!/usr/bin/env python3
"""PyTorch's speed on the UNet that `belm bench` times: diffusers' UNet2DModel at the google/ddpm-cifar10-32
configuration with random weights, on the CPU with 2 threads (or CUDA with --device cuda), fp32.

    python3 Benchmarks/unet2d_pytorch.py [--batch-sizes 1 8 32] [--repeats 3] [--threads 2] [--device cpu] [--tf32]

On CUDA the convolutions and matmuls run in true fp32: PyTorch lets cuDNN use TF32 for convolutions by default,
which would compare belm's fp32 kernels with 10-bit-mantissa tensor-core arithmetic; --tf32 allows it.

FLOPs are counted by torch.utils.flop_counter (2 per multiply-add of convolutions, matmuls and attention),
the same convention as belm's FLOPCountingBackend. Not part of CI.
"""
import argparse
import time

import torch
from diffusers import UNet2DModel
from torch.utils.flop_counter import FlopCounterMode

DDPM_CIFAR10_32 = dict(
    sample_size=32, in_channels=3, out_channels=3, layers_per_block=2,
    block_out_channels=(128, 256, 256, 256),
    down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
    attention_head_dim=None, center_input_sample=False, downsample_padding=0, flip_sin_to_cos=False,
    freq_shift=1, mid_block_scale_factor=1, norm_eps=1e-6, norm_num_groups=32, time_embedding_type="positional",
    act_fn="silu",
)


def time_forward(batch_sizes, repeats=3, threads=2, device="cpu", tf32=False):
    """(batch, seconds per forward, GFLOP per image) for each batch size, after one untimed warm-up pass."""
    torch.set_num_threads(threads)
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    device = torch.device(device)
    model = UNet2DModel(**DDPM_CIFAR10_32).eval().to(device)
    rows = []
    for batch in batch_sizes:
        x = torch.randn(batch, 3, 32, 32, device=device)
        t = torch.arange(batch, device=device) * 137 % 1000
        with torch.no_grad():
            with FlopCounterMode(display=False) as counter:
                model(x, t)
            flops = counter.get_total_flops()
            model(x, t)  # warm-up
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(repeats):
                model(x, t)
            if device.type == "cuda":
                torch.cuda.synchronize()
            rows.append((batch, (time.perf_counter() - start) / repeats, flops / batch / 1e9))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--tf32", action="store_true", help="let CUDA use TF32 tensor cores (not fp32)")
    args = parser.parse_args()
    print(f"diffusers UNet2DModel forward, google/ddpm-cifar10-32 configuration (random weights), "
          f"torch {torch.__version__} on {args.device}" + (f" with {args.threads} threads" if args.device == "cpu" else "")
          + (" (TF32 allowed)" if args.tf32 else ""))
    print("batch  seconds/forward  images/s  GFLOP/image  GFLOP/s")
    for batch, seconds, gflop in time_forward(args.batch_sizes, args.repeats, args.threads, args.device, args.tf32):
        print(f"{batch:5d}  {seconds:15.4f}  {batch / seconds:8.2f}  {gflop:11.2f}  {gflop * batch / seconds:7.2f}")


if __name__ == "__main__":
    main()
