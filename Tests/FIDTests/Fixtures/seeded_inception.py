"""The FID Inception network's deterministic stand-in weights, drawn as belm's SeededInceptionWeights draws them:
each tensor from SplitMix64 seeded by the FNV-1a hash of its name, value i = low + (high − low)·u with
u = (output i+1 >> 40)·2⁻²⁴; convolutions ±√(6/fan-in), batch-norm weights and variances in [0.5, 1.5], biases and
means in [−0.2, 0.2]. Used by generate_inception.py and Benchmarks/compare_fid.py."""
import numpy as np
import torch

from pytorch_fid_import import inception

MASK = (1 << 64) - 1


def fnv1a(name):
    h = 0xCBF29CE484222325
    for byte in name.encode():
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def seeded(name, shape):
    count = int(np.prod(shape))
    with np.errstate(over="ignore"):
        state = np.uint64(fnv1a(name)) + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    unit = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    if name.endswith("conv.weight"):
        bound = np.float32(np.sqrt(6.0 / np.prod(shape[1:])))
        low, high = -bound, bound
    elif name.endswith("bn.weight") or name.endswith("bn.running_var"):
        low, high = np.float32(0.5), np.float32(1.5)
    else:
        low, high = np.float32(-0.2), np.float32(0.2)
    return torch.from_numpy((low + (high - low) * unit).astype(np.float32).reshape(shape))


def seeded_state_dict():
    base = inception._inception_v3(num_classes=1008, aux_logits=False, weights=None, init_weights=False)
    return {name: (value if name.endswith("num_batches_tracked") else seeded(name, tuple(value.shape)))
            for name, value in base.state_dict().items()}


def seeded_network(resize=True):
    """pytorch-fid's InceptionV3 (pool3 features) with the stand-in weights in place of the downloaded ones."""
    state = seeded_state_dict()
    inception.load_state_dict_from_url = lambda *args, **kwargs: state
    return inception.InceptionV3([3], resize_input=resize, normalize_input=True, use_fid_inception=True).eval()
