"""Imports pytorch-fid where torchvision's compiled extension cannot load (a CUDA torchvision wheel beside a
CPU-only torch): pytorch-fid needs only torchvision's pure-Python Inception modules, so the package is entered
without running its __init__."""
import importlib.util
import sys
import types

import torch  # noqa: F401  (loaded before the torchvision modules that import it)


def _enter_torchvision_without_extension():
    if "torchvision" in sys.modules:
        return
    try:
        import torchvision  # noqa: F401
        return
    except (RuntimeError, OSError, ImportError):
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
    import importlib.metadata
    spec = importlib.util.find_spec("torchvision")
    package = types.ModuleType("torchvision")
    package.__path__ = list(spec.submodule_search_locations)
    package.__version__ = importlib.metadata.version("torchvision")
    sys.modules["torchvision"] = package


_enter_torchvision_without_extension()

from pytorch_fid import inception  # noqa: E402
from pytorch_fid.fid_score import calculate_frechet_distance  # noqa: E402

__all__ = ["inception", "calculate_frechet_distance"]
