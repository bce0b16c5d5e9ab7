#!/usr/bin/env python3
"""Golden fixtures for belm's UNet2DModel port.

Builds tiny random-weight diffusers UNet2DModels whose configs mirror the structural flags of
google/ddpm-cifar10-32, google/ddpm-celebahq-256 and a class-conditional model, saves them with
save_pretrained (safetensors), and stores a batch of inputs (per-sample timesteps) and diffusers' output.

    python3 Tests/ModelsTests/Fixtures/generate_unet2d.py

Needs torch, diffusers and safetensors; the tests read only the files written here.
Layout written under Tests/ModelsTests/Fixtures/unet2d/:
    cifar10/       single model: config.json, diffusion_pytorch_model.safetensors, scheduler_config.json
    celebahq/      single model: config.json, diffusion_pytorch_model.safetensors
    classcond/     pipeline: model_index.json, unet/, scheduler/ (v_prediction)
    <name>.inputs.safetensors    sample [B,C,H,W] f32, timestep [B] int64, class_labels [B] int64 (classcond)
    <name>.expected.safetensors  sample: diffusers' UNet2DModel output for those inputs
"""
import json
import os

import torch
from diffusers import DDPMScheduler, UNet2DModel
from safetensors.torch import save_file

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unet2d")

# Structural flags copied from the real checkpoints' config.json; channels and resolution shrunk.
CIFAR10 = dict(
    sample_size=16, in_channels=3, out_channels=3, layers_per_block=2,
    block_out_channels=(8, 12, 12, 12),
    down_block_types=("DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"),
    attention_head_dim=None, center_input_sample=False, downsample_padding=0,
    flip_sin_to_cos=False, freq_shift=1, mid_block_scale_factor=1, norm_eps=1e-6,
    norm_num_groups=4, time_embedding_type="positional", act_fn="silu",
)
CELEBAHQ = dict(
    sample_size=32, in_channels=3, out_channels=3, layers_per_block=2,
    block_out_channels=(4, 4, 8, 8, 8, 8),
    down_block_types=("DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "AttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D"),
    attention_head_dim=None, center_input_sample=False, downsample_padding=0,
    flip_sin_to_cos=False, freq_shift=1, mid_block_scale_factor=1, norm_eps=1e-6,
    norm_num_groups=2, time_embedding_type="positional", act_fn="silu",
)
# A class-conditional model in the style diffusers' training examples produce, with the other values of
# the flags the two above leave untested: scale_shift resnets (whose mid-block attention has no group norm),
# multi-head attention, sin/cos flipped, freq_shift 0, padded downsampling, centred input, a mid-block
# scale factor, attention in both an inner and the outermost level.
CLASSCOND = dict(
    sample_size=16, in_channels=3, out_channels=3, layers_per_block=1,
    block_out_channels=(8, 12, 12),
    down_block_types=("AttnDownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
    up_block_types=("AttnUpBlock2D", "UpBlock2D", "AttnUpBlock2D"),
    attention_head_dim=4, center_input_sample=True, downsample_padding=1,
    flip_sin_to_cos=True, freq_shift=0, mid_block_scale_factor=1.4142135623730951, norm_eps=1e-5,
    norm_num_groups=4, time_embedding_type="positional", act_fn="silu",
    resnet_time_scale_shift="scale_shift", num_class_embeds=10,
)


def randomise(model: torch.nn.Module, seed: int) -> None:
    """Give every parameter a random value, norm affines included (a port that drops them must fail)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in sorted(model.named_parameters()):
            noise = torch.randn(parameter.shape, generator=generator)
            if "norm" in name and name.endswith("weight"):
                parameter.copy_(1 + 0.3 * noise)
            elif name.endswith("bias"):
                parameter.copy_(0.2 * noise)
            else:
                fan_in = parameter[0].numel() if parameter.dim() > 1 else parameter.numel()
                parameter.copy_(noise / fan_in ** 0.5)


def make(name: str, config: dict, seed: int, batch: int, pipeline: bool, prediction_type: str) -> None:
    torch.manual_seed(seed)
    model = UNet2DModel(**config).eval()
    randomise(model, seed)
    root = os.path.join(HERE, name)
    unet_dir = os.path.join(root, "unet") if pipeline else root
    model.save_pretrained(unet_dir, safe_serialization=True)
    scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="linear", beta_start=1e-4, beta_end=0.02,
                              clip_sample=True, prediction_type=prediction_type)
    if pipeline:
        scheduler.save_pretrained(os.path.join(root, "scheduler"))
        with open(os.path.join(root, "model_index.json"), "w") as f:
            json.dump({"_class_name": "DDPMPipeline", "_diffusers_version": "0.42.1",
                       "scheduler": ["diffusers", "DDPMScheduler"], "unet": ["diffusers", "UNet2DModel"]},
                      f, indent=2, sort_keys=True)
    else:
        scheduler.save_pretrained(root)

    generator = torch.Generator().manual_seed(seed + 1)
    size = config["sample_size"]
    sample = torch.randn(batch, config["in_channels"], size, size, generator=generator)
    if config["center_input_sample"]:
        sample = torch.rand(batch, config["in_channels"], size, size, generator=generator)
    # Per-sample timesteps spanning the schedule, so a port that uses one timestep for the batch fails.
    timestep = torch.tensor([999, 500, 3, 250][:batch], dtype=torch.int64)
    inputs = {"sample": sample, "timestep": timestep}
    arguments = {}
    if config.get("num_class_embeds"):
        class_labels = torch.tensor([7, 0, 3, 9][:batch], dtype=torch.int64)
        inputs["class_labels"] = class_labels
        arguments["class_labels"] = class_labels
    with torch.no_grad():
        output = model(sample, timestep, **arguments).sample
    save_file(inputs, os.path.join(HERE, f"{name}.inputs.safetensors"))
    expected = {"sample": output.contiguous()}
    if prediction_type != "epsilon":
        # The noise a sampler must see for one timestep shared by the batch, converted as diffusers' DDIM
        # step does, with the schedule's alphas_cumprod alongside.
        shared = 500
        with torch.no_grad():
            raw = model(sample, shared, **arguments).sample
        alpha_bar = scheduler.alphas_cumprod[shared]
        if prediction_type == "v_prediction":
            epsilon = alpha_bar ** 0.5 * raw + (1 - alpha_bar) ** 0.5 * sample
        else:
            epsilon = (sample - alpha_bar ** 0.5 * raw) / (1 - alpha_bar) ** 0.5
        expected["epsilon_t500"] = epsilon.contiguous()
        expected["alphas_cumprod"] = scheduler.alphas_cumprod.to(torch.float64).contiguous()
    save_file(expected, os.path.join(HERE, f"{name}.expected.safetensors"))
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, output std {output.std():.4f}")


def main() -> None:
    os.makedirs(HERE, exist_ok=True)
    make("cifar10", CIFAR10, seed=10, batch=3, pipeline=False, prediction_type="epsilon")
    make("celebahq", CELEBAHQ, seed=20, batch=2, pipeline=False, prediction_type="epsilon")
    make("classcond", CLASSCOND, seed=30, batch=3, pipeline=True, prediction_type="v_prediction")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(HERE) for f in fs)
    print(f"fixtures: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
