#!/usr/bin/env python3
"""Trains the small class-conditional UNet2DModel that belm ships as `builtin:shapes-unet`.

The training images come from belm itself, so the network and the exact reference model see the same set:

    .build/release/belm dataset export --out /tmp/shapes
    python3 scripts/train_shapes_unet.py --data /tmp/shapes --out Sources/Models/Resources/shapes-unet

Needs torch and diffusers (PyPI); neither belm's build nor its tests need them. Labels are dropped with
probability --label-dropout and replaced by an extra null class (index = number of classes), which is what
classifier-free guidance evaluates as "unconditional". The output folder is a diffusers pipeline layout
(model_index.json, unet/, scheduler/) plus belm.json (class names, null class) and README.md, a model card
with the configuration, seed, loss curve and wall time.
"""
import argparse, csv, json, math, os, struct, time, zlib
from pathlib import Path

import numpy as np
import torch
from diffusers import DDPMScheduler, UNet2DModel


def read_png(path):
    """Decodes the 8-bit RGB/grey PNGs belm writes (no Pillow needed)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (0, 2), f"{path}: only 8-bit grey/RGB PNGs are read"
    channels = 3 if colour == 2 else 1
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if filter_type == 1: line[i] = (line[i] + left) & 255
            elif filter_type == 2: line[i] = (line[i] + up) & 255
            elif filter_type == 3: line[i] = (line[i] + (left + up) // 2) & 255
            elif filter_type == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else upper_left)) & 255
        rows.append(bytes(line)); previous = line
    image = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, channels)
    if channels == 1: image = np.repeat(image, 3, axis=2)
    return image


def load_dataset(folder):
    """Images under DIR/<class>/*.png; classes in sorted folder order (belm's export order)."""
    folder = Path(folder)
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    if not classes:
        raise SystemExit(f"{folder}: no class folders; export the set with `belm dataset export --out {folder}`")
    images, labels = [], []
    for label, name in enumerate(classes):
        for path in sorted((folder / name).glob("*.png")):
            images.append(read_png(path)); labels.append(label)
    x = torch.tensor(np.stack(images)).permute(0, 3, 1, 2).float() / 127.5 - 1
    return x, torch.tensor(labels), classes


def save(unet, ema, scheduler, classes, null_class, images, size, config, losses, steps_done, wall, args):
    """Writes the EMA weights as a diffusers pipeline folder with belm.json and the model card."""
    live = {k: v.detach().clone() for k, v in unet.state_dict().items()}
    unet.load_state_dict(ema)
    out = Path(args.out)
    unet.save_pretrained(out / "unet", safe_serialization=True)
    unet.load_state_dict(live)
    scheduler.save_pretrained(out / "scheduler")
    (out / "model_index.json").write_text(json.dumps({"_class_name": "DDPMPipeline", "unet": ["diffusers", "UNet2DModel"],
                                                       "scheduler": ["diffusers", "DDPMScheduler"]}, indent=2) + "\n")
    (out / "belm.json").write_text(json.dumps({"classes": classes, "null_class": null_class}, indent=2) + "\n")
    curve = [float(np.mean(losses[i:i + 100])) for i in range(0, len(losses), 100)]
    card = [f"# shapes-unet", "",
            "A small class-conditional diffusers UNet2DModel trained on belm's built-in image set "
            f"({len(images)} images, {len(classes)} classes, {size}×{size}), with label dropout {args.label_dropout} "
            f"to an extra null class ({null_class}) for classifier-free guidance. EMA weights.", "",
            "| setting | value |", "|---|---|",
            f"| steps | {steps_done} of {args.steps} |", f"| batch size | {args.batch_size} |", f"| learning rate | {args.lr} (warm-up, cosine) |",
            f"| seed | {args.seed} |", f"| continued from | {args.init or '(fresh weights)'} |", f"| threads | {args.threads} |", f"| parameters | {sum(p.numel() for p in unet.parameters())} |",
            f"| wall time | {wall:.0f} s |", f"| torch / diffusers | {torch.__version__} / {__import__('diffusers').__version__} |", "",
            "UNet config: `" + json.dumps(config) + "`", "",
            "Loss (mean over each 100 steps): " + ", ".join(f"{v:.4f}" for v in curve), "",
            f"Command: `python3 scripts/train_shapes_unet.py --data DIR --out {args.out} --steps {args.steps} --batch-size {args.batch_size} --channels {' '.join(map(str, args.channels))} --seed {args.seed}`", ""]
    (out / "README.md").write_text("\n".join(card))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--label-dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels", type=int, nargs=3, default=[16, 32, 32], help="block_out_channels of the three levels")
    ap.add_argument("--init", help="continue from the unet/ weights of an earlier output folder (same --channels)")
    ap.add_argument("--checkpoint-every", type=int, default=250)
    ap.add_argument("--prediction-type", choices=["epsilon", "v_prediction"], default="v_prediction",
                    help="what the network predicts; v keeps x0 bounded at high noise, where a small network's ε error "
                         "is amplified by sqrt((1-ᾱ)/ᾱ) (about 60× at t=900, 160× at t=999) into saturated samples")
    ap.add_argument("--ema-decay", type=float, default=0.999)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    images, labels, classes = load_dataset(args.data)
    null_class = len(classes)
    size = images.shape[-1]
    config = dict(sample_size=size, in_channels=3, out_channels=3, layers_per_block=1,
                  block_out_channels=tuple(args.channels), norm_num_groups=8,
                  down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
                  up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
                  attention_head_dim=args.channels[1], num_class_embeds=len(classes) + 1)
    unet = UNet2DModel(**config)
    if args.init:
        unet.load_state_dict(UNet2DModel.from_pretrained(Path(args.init) / "unet").state_dict())
    scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="linear", beta_start=1e-4, beta_end=0.02,
                              clip_sample=False, prediction_type=args.prediction_type)
    alphas_cumprod = scheduler.alphas_cumprod
    optimiser = torch.optim.AdamW(unet.parameters(), lr=args.lr, weight_decay=0.0)
    warmup = max(1, args.steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, args.steps) / args.steps)))
    ema = {k: v.detach().clone() for k, v in unet.state_dict().items()}
    generator = torch.Generator().manual_seed(args.seed)
    losses, start = [], time.time()
    for step in range(args.steps):
        index = torch.randint(0, len(images), (args.batch_size,), generator=generator)
        x0, y = images[index], labels[index].clone()
        y[torch.rand(args.batch_size, generator=generator) < args.label_dropout] = null_class
        t = torch.randint(0, 1000, (args.batch_size,), generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        a = alphas_cumprod[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        target = noise if args.prediction_type == "epsilon" else a.sqrt() * noise - (1 - a).sqrt() * x0
        loss = (unet(xt, t, class_labels=y).sample - target).pow(2).mean()
        optimiser.zero_grad(); loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        optimiser.step(); schedule.step()
        with torch.no_grad():
            decay = min(args.ema_decay, (1 + step) / (10 + step))
            for k, v in unet.state_dict().items():
                ema[k].mul_(decay).add_(v.detach(), alpha=1 - decay) if v.dtype.is_floating_point else ema[k].copy_(v)
        losses.append(loss.item())
        if step % 100 == 0 or step == args.steps - 1:
            elapsed = time.time() - start
            print(f"step {step:5d}/{args.steps}  loss {np.mean(losses[-100:]):.4f}  {elapsed:6.0f}s elapsed, "
                  f"~{elapsed / (step + 1) * (args.steps - step - 1):.0f}s left", flush=True)
        if args.checkpoint_every and (step + 1) % args.checkpoint_every == 0 and step + 1 < args.steps:
            # A complete, loadable folder at every checkpoint: training can be stopped at any point.
            save(unet, ema, scheduler, classes, null_class, images, size, config, losses, step + 1, time.time() - start, args)
    save(unet, ema, scheduler, classes, null_class, images, size, config, losses, step + 1, time.time() - start, args)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
