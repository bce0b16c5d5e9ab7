"""Dumps diffusers' DDIMScheduler schedules and timestep grids to schedules.json, the golden fixture of
NoiseScheduleTests. Run from this folder: python3 generate_schedules.py (needs torch and diffusers)."""
import json

import diffusers
from diffusers import DDIMScheduler

CONFIGS = {
    # Stable Diffusion 1.5 as the BELM reconstruction script sets it up.
    "sd15_linspace": dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                          timestep_spacing="linspace", set_alpha_to_one=False, steps_offset=0),
    # Stable Diffusion 1.5's own scheduler_config.json (leading spacing, steps_offset 1).
    "sd15_leading_offset1": dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                 timestep_spacing="leading", set_alpha_to_one=False, steps_offset=1),
    # google/ddpm-cifar10-32 read by DDIMScheduler.from_config.
    "ddpm_cifar10": dict(beta_start=0.0001, beta_end=0.02, beta_schedule="linear",
                         timestep_spacing="leading", set_alpha_to_one=True, steps_offset=0),
    "cosine_trailing": dict(beta_schedule="squaredcos_cap_v2", timestep_spacing="trailing",
                            set_alpha_to_one=True, steps_offset=1),
    "linear_500_trailing": dict(num_train_timesteps=500, beta_start=0.0001, beta_end=0.02, beta_schedule="linear",
                                timestep_spacing="trailing", set_alpha_to_one=False, steps_offset=0),
}
STEPS = [2, 7, 10, 20, 50, 100]

fixture = {"diffusers_version": diffusers.__version__, "configs": {}}
for name, config in CONFIGS.items():
    scheduler = DDIMScheduler(clip_sample=False, **config)
    grids = {}
    for steps in STEPS:
        scheduler.set_timesteps(steps)
        grids[str(steps)] = [int(t) for t in scheduler.timesteps]
    fixture["configs"][name] = {
        "config": {k: v for k, v in config.items()},
        "alphas_cumprod": [float(a) for a in scheduler.alphas_cumprod],
        "final_alpha_cumprod": float(scheduler.final_alpha_cumprod),
        "timesteps": grids,
    }

with open("schedules.json", "w") as f:
    json.dump(fixture, f, indent=None, separators=(",", ":"), sort_keys=True)
    f.write("\n")
