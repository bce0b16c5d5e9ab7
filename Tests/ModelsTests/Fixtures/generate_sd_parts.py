#!/usr/bin/env python3
"""Golden fixtures for belm's Stable Diffusion parts: UNet2DConditionModel and AutoencoderKL.

Tiny random-weight models whose configs mirror runwayml/stable-diffusion-v1-5's unet/ and vae/ (same block
types, flags and depths; few channels), plus an SD2-style UNet (linear projections, per-level head counts),
saved with save_pretrained (safetensors) together with inputs and diffusers' outputs.

    python3 Tests/ModelsTests/Fixtures/generate_sd_parts.py

Written under Tests/ModelsTests/Fixtures/sd/:
    sd15/unet, sd15/vae, sd15/scheduler, sd15/model_index.json     a pipeline folder
    sd2unet/                                                      a single UNet2DConditionModel
    <name>.inputs.safetensors / <name>.expected.safetensors      per test case (names follow `belm forward`)
    vae-tiled-{encoder,decoder}.*                                 diffusers' enable_tiling() at a small tile size
"""
import json
import os

import torch
from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
from safetensors.torch import save_file

# The same randomisation as the UNet2DModel fixtures (norm affines included).
from generate_unet2d import randomise

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sd")

SD15_UNET = dict(
    sample_size=16, in_channels=4, out_channels=4, layers_per_block=2,
    block_out_channels=(8, 8, 12, 12),
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    attention_head_dim=2, cross_attention_dim=8, center_input_sample=False, downsample_padding=1,
    flip_sin_to_cos=True, freq_shift=0, mid_block_scale_factor=1, norm_eps=1e-5, norm_num_groups=4, act_fn="silu",
)
# SD 2.x: linear proj_in/proj_out and per-level head counts (which diffusers reverses for the decoder).
SD2_UNET = dict(SD15_UNET, use_linear_projection=True, attention_head_dim=(1, 2, 4, 4), upcast_attention=True,
                block_out_channels=(8, 8, 8, 8), layers_per_block=1)
SD15_VAE = dict(
    sample_size=32, in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
    block_out_channels=(4, 4, 8, 8),
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    norm_num_groups=2, act_fn="silu", scaling_factor=0.18215,
)


def unet_case(name: str, config: dict, folder: str, seed: int) -> None:
    model = UNet2DConditionModel(**config).eval()
    randomise(model, seed)
    model.save_pretrained(folder, safe_serialization=True)
    generator = torch.Generator().manual_seed(seed + 1)
    sample = torch.randn(2, 4, 16, 16, generator=generator)
    timestep = torch.tensor([981, 21], dtype=torch.int64)
    states = torch.randn(2, 7, config["cross_attention_dim"], generator=generator)
    with torch.no_grad():
        output = model(sample, timestep, encoder_hidden_states=states).sample
    save_file({"sample": sample, "timestep": timestep, "encoder_hidden_states": states},
              os.path.join(HERE, f"{name}.inputs.safetensors"))
    save_file({"sample": output.contiguous()}, os.path.join(HERE, f"{name}.expected.safetensors"))
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, output std {output.std():.4f}")


def vae_cases(folder: str, seed: int) -> None:
    vae = AutoencoderKL(**SD15_VAE).eval()
    randomise(vae, seed)
    vae.save_pretrained(folder, safe_serialization=True)
    generator = torch.Generator().manual_seed(seed + 1)
    image = torch.rand(2, 3, 32, 32, generator=generator) * 2 - 1
    latent = torch.randn(2, 4, 4, 4, generator=generator)
    noise = torch.randn(2, 4, 4, 4, generator=generator)
    with torch.no_grad():
        posterior = vae.encode(image).latent_dist
        mean = posterior.mean
        # DiagonalGaussianDistribution.sample() is mean + std·ε; given ε, the draw is exact.
        drawn = posterior.mean + posterior.std * noise
        decoded = vae.decode(latent).sample
    save_file({"sample": image}, os.path.join(HERE, "vae-encoder.inputs.safetensors"))
    save_file({"latent_mean": mean.contiguous(), "noise": noise, "latent_sample": drawn.contiguous()},
              os.path.join(HERE, "vae-encoder.expected.safetensors"))
    save_file({"latent": latent}, os.path.join(HERE, "vae-decoder.inputs.safetensors"))
    save_file({"sample": decoded.contiguous()}, os.path.join(HERE, "vae-decoder.expected.safetensors"))
    print(f"vae: {sum(p.numel() for p in vae.parameters())} parameters, mean std {mean.std():.4f}, decoded std {decoded.std():.4f}")
    return vae


# Tiles of 4 latent (32 image) pixels: a 64×80 image and 8×10 latents take 3×4 tiles, the last row and column
# smaller than the others (down to 1 latent / 8 image pixels wide), so every blending and cropping case runs.
TILE_LATENT = 4


def vae_tiled_cases(vae: AutoencoderKL, seed: int) -> None:
    """diffusers' enable_tiling() outputs: _tiled_encode (posterior mean) and tiled_decode."""
    vae.enable_tiling()
    vae.tile_latent_min_size = TILE_LATENT
    vae.tile_sample_min_size = TILE_LATENT * 2 ** (len(vae.config.block_out_channels) - 1)
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand(2, 3, 64, 80, generator=generator) * 2 - 1
    latent = torch.randn(2, 4, 8, 10, generator=generator)
    with torch.no_grad():
        mean = vae.encode(image).latent_dist.mean
        decoded = vae.decode(latent).sample
        vae.disable_tiling()
        plain = vae.decode(latent).sample
    assert not torch.allclose(plain, decoded, atol=1e-3), "tiles did not change the decode"
    save_file({"sample": image, "tile_latent_size": torch.tensor([TILE_LATENT], dtype=torch.int64)},
              os.path.join(HERE, "vae-tiled-encoder.inputs.safetensors"))
    save_file({"latent_mean": mean.contiguous()}, os.path.join(HERE, "vae-tiled-encoder.expected.safetensors"))
    save_file({"latent": latent, "tile_latent_size": torch.tensor([TILE_LATENT], dtype=torch.int64)},
              os.path.join(HERE, "vae-tiled-decoder.inputs.safetensors"))
    save_file({"sample": decoded.contiguous(), "untiled_sample": plain.contiguous()},
              os.path.join(HERE, "vae-tiled-decoder.expected.safetensors"))
    print(f"vae tiled: mean std {mean.std():.4f}, decoded std {decoded.std():.4f}, "
          f"largest tiling change {(plain - decoded).abs().max():.4f}")


def main() -> None:
    os.makedirs(HERE, exist_ok=True)
    pipeline = os.path.join(HERE, "sd15")
    unet_case("sd15-unet", SD15_UNET, os.path.join(pipeline, "unet"), seed=40)
    vae = vae_cases(os.path.join(pipeline, "vae"), seed=50)
    DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                  set_alpha_to_one=False, steps_offset=1).save_pretrained(os.path.join(pipeline, "scheduler"))
    with open(os.path.join(pipeline, "model_index.json"), "w") as f:
        json.dump({"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.42.1",
                   "scheduler": ["diffusers", "DDIMScheduler"], "unet": ["diffusers", "UNet2DConditionModel"],
                   "vae": ["diffusers", "AutoencoderKL"]}, f, indent=2, sort_keys=True)
    unet_case("sd2-unet", SD2_UNET, os.path.join(HERE, "sd2unet"), seed=60)
    vae_tiled_cases(vae, seed=70)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(HERE) for f in fs)
    print(f"fixtures: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
