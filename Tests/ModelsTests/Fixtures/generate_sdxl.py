#!/usr/bin/env python3
"""Golden fixtures for belm's Stable Diffusion XL: a tiny random-weight pipeline folder laid out as
stabilityai/stable-diffusion-xl-base-1.0 is, and diffusers' and transformers' outputs for it.

The configs mirror SDXL base 1.0's (no attention at the first level, per-level transformer depths with the mid block
at the last level's, linear projections, `addition_embed_type: text_time`, two CLIP text encoders of different widths
whose penultimate hidden states are concatenated, the second with a projection and `gelu`, tokenizer_2 padding with
"!", an EulerDiscreteScheduler config, a VAE with scaling_factor 0.13025 and force_upcast) with few channels.
Weights are rounded to float16 and saved so (half the bytes); every golden is computed in float32 from the rounded
values, which belm reads as float32, so the halving costs no accuracy.

    python3 Tests/ModelsTests/Fixtures/generate_sdxl.py                   (everything)
    python3 Tests/ModelsTests/Fixtures/generate_sdxl.py --pipeline-only   (pipeline.* alone, from the committed folder)

Written under Tests/ModelsTests/Fixtures/sdxl/:
    pipeline/                      unet/ vae/ text_encoder/ text_encoder_2/ tokenizer/ tokenizer_2/ scheduler/ model_index.json
    unet.inputs.safetensors        sample, timestep, encoder_hidden_states, text_embeds, time_ids
    unet.expected.safetensors      sample: UNet2DConditionModel's output
    text.json                      prompts, and the ids both tokenizers give them
    text.expected.safetensors      prompt_embeds (hidden_states[-2] of both encoders, concatenated), pooled_prompt_embeds
                                   (text_encoder_2's text_embeds), negative_* for force_zeros_for_empty_prompt
    pipeline.safetensors           latents (the fixed start), and per case <case>.latents (the pipeline's final latents,
                                   output_type="latent") and <case>.image (vae.decode(latents / scaling_factor))
    pipeline.json                  the cases: prompt, negative prompt, guidance scale, micro-conditioning (original_size,
                                   crops_coords_top_left, target_size, where a case sets them), steps, image size

The tokenizer is CLIP's byte-level BPE cut to the first MERGES merges of clip/tokenizer (its 512 byte-level tokens
and the merged tokens keep their ids; the start and end tokens move to the two ids after them), so the embedding
tables are a few hundred rows.
"""
import json
import os
import sys

# A torchvision built for another torch makes transformers' import fail; nothing here needs torchvision.
sys.modules.setdefault("torchvision", None)

import torch  # noqa: E402
from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionXLPipeline, UNet2DConditionModel  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer  # noqa: E402

from generate_unet2d import randomise  # noqa: E402

FIXTURES = os.path.dirname(os.path.abspath(__file__))
HERE = os.path.join(FIXTURES, "sdxl")
PIPELINE = os.path.join(HERE, "pipeline")
MERGES = 120

TEXT_WIDTH_1, TEXT_WIDTH_2, PROJECTION = 8, 12, 6
TIME_EMBED = 4
UNET = dict(
    sample_size=8, in_channels=4, out_channels=4, layers_per_block=1,
    block_out_channels=(8, 8, 16),
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    mid_block_type="UNetMidBlock2DCrossAttn",
    # SDXL: [1, 2, 10]; the first level has no attention, the mid block takes the last level's depth.
    transformer_layers_per_block=(1, 1, 2), attention_head_dim=(2, 2, 4), cross_attention_dim=TEXT_WIDTH_1 + TEXT_WIDTH_2,
    use_linear_projection=True, addition_embed_type="text_time", addition_embed_type_num_heads=64,
    addition_time_embed_dim=TIME_EMBED, projection_class_embeddings_input_dim=PROJECTION + 6 * TIME_EMBED,
    flip_sin_to_cos=True, freq_shift=0, norm_num_groups=4, norm_eps=1e-5, act_fn="silu",
)
VAE = dict(
    sample_size=16, in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1, block_out_channels=(4, 8),
    down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, norm_num_groups=2,
    act_fn="silu", scaling_factor=0.13025, force_upcast=True,
)
# SDXL base 1.0's scheduler/scheduler_config.json.
SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                 interpolation_type="linear", num_train_timesteps=1000, prediction_type="epsilon",
                 sample_max_value=1.0, set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1,
                 timestep_spacing="leading", trained_betas=None, use_karras_sigmas=False)
PROMPTS = ["a red circle", "", "A Dalmatian!"]
CASES = {
    "unguided": dict(prompt="a red circle", negative_prompt=None, guidance_scale=1.0),
    "guided": dict(prompt="a red circle", negative_prompt=None, guidance_scale=5.0),
    "negative": dict(prompt="a red circle", negative_prompt="blurry", guidance_scale=5.0),
    # Micro-conditioning away from the image's own size (16x16) and crop (0, 0); (height, width) and (top, left).
    "micro": dict(prompt="a red circle", negative_prompt=None, guidance_scale=5.0,
                  original_size=[48, 24], crops_coords_top_left=[4, 8], target_size=[12, 20]),
}
MICRO_ARGUMENTS = ("original_size", "crops_coords_top_left", "target_size")
STEPS = 4


def halved(model: torch.nn.Module, folder: str) -> torch.nn.Module:
    """Saves the model's weights as float16 and returns it in float32 with those rounded values."""
    model.half().save_pretrained(folder, safe_serialization=True)
    return model.float().eval()


def write_tokenizer(folder: str, pad: str) -> None:
    source = os.path.join(FIXTURES, "clip", "tokenizer")
    with open(os.path.join(source, "vocab.json")) as f:
        full = json.load(f)
    with open(os.path.join(source, "merges.txt")) as f:
        lines = [line for line in f.read().split("\n") if line and not line.startswith("#version")]
    vocab = {token: i for token, i in full.items() if i < 512 + MERGES}
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = 512 + MERGES, 513 + MERGES
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n" + "\n".join(lines[:MERGES]) + "\n")
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": pad}
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(dict(special, model_max_length=77, do_lower_case=True, tokenizer_class="CLIPTokenizer"), f, indent=2)


def text_encoder(cls, width: int, act: str, folder: str, seed: int, **extra) -> None:
    config = CLIPTextConfig(vocab_size=514 + MERGES, hidden_size=width, intermediate_size=2 * width, num_hidden_layers=2,
                            num_attention_heads=width // 4, max_position_embeddings=77, hidden_act=act,
                            bos_token_id=512 + MERGES, eos_token_id=513 + MERGES, pad_token_id=1, **extra)
    model = cls(config).eval()
    randomise(model, seed)
    halved(model, folder)


def build_folder() -> None:
    write_tokenizer(os.path.join(PIPELINE, "tokenizer"), pad="<|endoftext|>")
    write_tokenizer(os.path.join(PIPELINE, "tokenizer_2"), pad="!")
    text_encoder(CLIPTextModel, TEXT_WIDTH_1, "quick_gelu", os.path.join(PIPELINE, "text_encoder"), seed=80,
                 projection_dim=TEXT_WIDTH_1)
    text_encoder(CLIPTextModelWithProjection, TEXT_WIDTH_2, "gelu", os.path.join(PIPELINE, "text_encoder_2"), seed=81,
                 projection_dim=PROJECTION)
    unet = UNet2DConditionModel(**UNET).eval()
    randomise(unet, 82)
    halved(unet, os.path.join(PIPELINE, "unet"))
    vae = AutoencoderKL(**VAE).eval()
    randomise(vae, 83)
    halved(vae, os.path.join(PIPELINE, "vae"))
    # Written as shipped (with fields EulerDiscreteScheduler's constructor no longer takes; from_config skips them).
    os.makedirs(os.path.join(PIPELINE, "scheduler"), exist_ok=True)
    with open(os.path.join(PIPELINE, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(dict(SCHEDULER, _class_name="EulerDiscreteScheduler", _diffusers_version="0.19.0.dev0"), f, indent=2,
                  sort_keys=True)
    index = {
        "_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.42.1", "force_zeros_for_empty_prompt": True,
        "feature_extractor": [None, None], "image_encoder": [None, None],
        "scheduler": ["diffusers", "EulerDiscreteScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
        "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"], "tokenizer": ["transformers", "CLIPTokenizer"],
        "tokenizer_2": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
    }
    with open(os.path.join(PIPELINE, "model_index.json"), "w") as f:
        json.dump(index, f, indent=2, sort_keys=True)


def unet_case(pipe: StableDiffusionXLPipeline) -> None:
    generator = torch.Generator().manual_seed(90)
    sample = torch.randn(2, 4, 8, 8, generator=generator)
    timestep = torch.tensor([981, 21], dtype=torch.int64)
    states = torch.randn(2, 7, UNET["cross_attention_dim"], generator=generator)
    text_embeds = torch.randn(2, PROJECTION, generator=generator)
    time_ids = torch.tensor([[1024, 1024, 0, 0, 1024, 1024], [512, 768, 16, 32, 640, 640]], dtype=torch.float32)
    with torch.no_grad():
        output = pipe.unet(sample, timestep, encoder_hidden_states=states,
                           added_cond_kwargs={"text_embeds": text_embeds, "time_ids": time_ids}).sample
    save_file({"sample": sample, "timestep": timestep, "encoder_hidden_states": states, "text_embeds": text_embeds,
               "time_ids": time_ids}, os.path.join(HERE, "unet.inputs.safetensors"))
    save_file({"sample": output.contiguous()}, os.path.join(HERE, "unet.expected.safetensors"))
    print(f"unet: {sum(p.numel() for p in pipe.unet.parameters())} parameters, output std {output.std():.4f}")


def text_case(pipe: StableDiffusionXLPipeline) -> None:
    ids = [pipe.tokenizer(PROMPTS, padding="max_length", max_length=77, truncation=True).input_ids,
           pipe.tokenizer_2(PROMPTS, padding="max_length", max_length=77, truncation=True).input_ids]
    with torch.no_grad():
        embeds, negative, pooled, negative_pooled = pipe.encode_prompt(
            PROMPTS, device="cpu", num_images_per_prompt=1, do_classifier_free_guidance=True, negative_prompt=None)
    assert negative.abs().max() == 0 and negative_pooled.abs().max() == 0, "force_zeros_for_empty_prompt did not zero"
    with open(os.path.join(HERE, "text.json"), "w") as f:
        json.dump({"prompts": PROMPTS, "tokenizer_ids": ids[0], "tokenizer_2_ids": ids[1]}, f)
    save_file({"prompt_embeds": embeds.contiguous(), "pooled_prompt_embeds": pooled.contiguous()},
              os.path.join(HERE, "text.expected.safetensors"))
    print(f"text: embeds {tuple(embeds.shape)} std {embeds.std():.4f}, pooled {tuple(pooled.shape)}")


def pipeline_cases(pipe: StableDiffusionXLPipeline) -> None:
    pipe.scheduler = DDIMScheduler.from_config(pipe.scheduler.config)
    size = UNET["sample_size"] * 2 ** (len(VAE["block_out_channels"]) - 1)
    latents = torch.randn(1, 4, UNET["sample_size"], UNET["sample_size"], generator=torch.Generator().manual_seed(91))
    tensors = {"latents": latents}
    for name, case in CASES.items():
        with torch.no_grad():
            micro = {key: tuple(case[key]) for key in MICRO_ARGUMENTS if key in case}
            final = pipe(prompt=case["prompt"], negative_prompt=case["negative_prompt"],
                         guidance_scale=case["guidance_scale"], num_inference_steps=STEPS, eta=0.0, height=size,
                         width=size, latents=latents.clone(), output_type="latent", **micro).images
            image = pipe.vae.decode(final / pipe.vae.config.scaling_factor).sample
        tensors[f"{name}.latents"] = final.contiguous()
        tensors[f"{name}.image"] = image.contiguous()
        print(f"pipeline {name}: latents std {final.std():.4f}, image std {image.std():.4f}")
    assert not torch.allclose(tensors["guided.latents"], tensors["negative.latents"], atol=1e-3)
    assert not torch.allclose(tensors["guided.latents"], tensors["micro.latents"], atol=1e-3), "micro-conditioning changed nothing"
    save_file(tensors, os.path.join(HERE, "pipeline.safetensors"))
    with open(os.path.join(HERE, "pipeline.json"), "w") as f:
        json.dump({"steps": STEPS, "image_size": size, "cases": CASES}, f, indent=2)


def main() -> None:
    # --pipeline-only: rewrite pipeline.safetensors and pipeline.json from the committed folder, leaving the folder
    # and the other goldens as they are (for a new pipeline case).
    pipeline_only = "--pipeline-only" in sys.argv[1:]
    os.makedirs(HERE, exist_ok=True)
    if not pipeline_only:
        build_folder()
    pipe = StableDiffusionXLPipeline.from_pretrained(PIPELINE, torch_dtype=torch.float32, add_watermarker=False)
    assert pipe.tokenizer_2.pad_token == "!" and pipe.tokenizer_2.pad_token_id == 0
    if not pipeline_only:
        unet_case(pipe)
        text_case(pipe)
    pipeline_cases(pipe)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(HERE) for f in fs)
    print(f"fixtures: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
