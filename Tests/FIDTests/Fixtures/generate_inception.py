"""Golden files for belm's FID Inception network, made with pytorch-fid's own InceptionV3.

  python3 generate_inception.py        (in this folder; needs numpy, torch, pytorch-fid, safetensors, pillow)

The real weights cannot be committed (95 MB), so the network gets deterministic stand-in weights that belm's
SeededInceptionWeights draws the same way: each tensor from SplitMix64 seeded by the FNV-1a hash of its name,
value i = low + (high − low)·u with u = (output i+1 >> 40)·2⁻²⁴; convolutions ±√(6/fan-in), batch-norm weights and
variances in [0.5, 1.5], biases and means in [−0.2, 0.2]. Only inputs and outputs are committed:

- seeded_weights.json: a few values of the stand-in weights, so a mismatch shows in the weights and not the network.
- ops.safetensors: torch's max_pool2d, avg_pool2d(count_include_pad=False) and F.interpolate(bilinear,
  align_corners=False) on small inputs.
- inception_75.safetensors: `images` [2, 3, 75, 75] in [0, 1] and pytorch-fid's pool3 `features` [2, 2048],
  without the resize (75 is the smallest side the network takes).
- folder_a/, folder_b/: 3 PNGs each (32 × 32 RGB); folders.safetensors: pytorch-fid's features of each image
  (get_activations), mu, sigma's trace and top-left 16 × 16 block (calculate_activation_statistics), and the FID
  between the two folders (calculate_frechet_distance).
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save_file

from pytorch_fid_import import inception
from seeded_inception import seeded_state_dict

state = seeded_state_dict()
inception.load_state_dict_from_url = lambda *args, **kwargs: state


def network(resize):
    return inception.InceptionV3([3], resize_input=resize, normalize_input=True, use_fid_inception=True).eval()


def pool3(model, images):
    with torch.no_grad():
        return model(images)[0].reshape(images.shape[0], -1)


rng = np.random.default_rng(2015_12_05)
torch.manual_seed(0)

with open("seeded_weights.json", "w") as f:
    json.dump({name: state[name].flatten()[:4].tolist() for name in
               ["Conv2d_1a_3x3.conv.weight", "Mixed_7c.branch_pool.bn.running_var", "Mixed_6b.branch7x7_2.bn.bias"]},
              f, indent=2)
    f.write("\n")

x = torch.from_numpy(rng.standard_normal((2, 3, 9, 11)).astype(np.float32))
small = torch.from_numpy(rng.uniform(size=(1, 3, 5, 7)).astype(np.float32))
save_file({
    "x": x,
    "max_3_2": F.max_pool2d(x, 3, stride=2),
    "max_3_1_1": F.max_pool2d(x, 3, stride=1, padding=1),
    "avg_3_1_1": F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False),
    "small": small,
    "resize_299": F.interpolate(small, size=(299, 299), mode="bilinear", align_corners=False),
    "resize_3x4": F.interpolate(x, size=(3, 4), mode="bilinear", align_corners=False),
}, "ops.safetensors")

images75 = torch.from_numpy(rng.uniform(size=(2, 3, 75, 75)).astype(np.float32))
save_file({"images": images75, "features": pool3(network(False), images75).contiguous()}, "inception_75.safetensors")


from pytorch_fid import fid_score  # noqa: E402  (after the loader patch)

folders = {}
for folder, offset in [("folder_a", 0.0), ("folder_b", 0.25)]:
    os.makedirs(folder, exist_ok=True)
    for index in range(3):
        pixels = np.clip(rng.uniform(size=(32, 32, 3)) * 0.75 + offset, 0, 1)
        Image.fromarray((pixels * 255).round().astype(np.uint8)).save(os.path.join(folder, f"{index}.png"))
    paths = sorted(os.path.join(folder, name) for name in os.listdir(folder))
    model = network(True)
    features = fid_score.get_activations(paths, model, batch_size=3, dims=2048, device="cpu", num_workers=0)
    mu, sigma = fid_score.calculate_activation_statistics(paths, model, batch_size=3, dims=2048, device="cpu",
                                                          num_workers=0)
    folders[folder] = (features, mu, sigma)
fid = fid_score.calculate_frechet_distance(*folders["folder_a"][1:], *folders["folder_b"][1:])
# sigma is 2048 × 2048 float64 (32 MB); its trace and top-left block stand in for it.
save_file({f"{key}_{name}": torch.from_numpy(np.ascontiguousarray(value))
           for key, (features, mu, sigma) in [("a", folders["folder_a"]), ("b", folders["folder_b"])]
           for name, value in [("features", features.astype(np.float32)), ("mu", mu), ("sigma_block", sigma[:16, :16]),
                               ("sigma_trace", np.array([np.trace(sigma)]))]}
          | {"fid": torch.tensor([fid], dtype=torch.float64)}, "folders.safetensors")
