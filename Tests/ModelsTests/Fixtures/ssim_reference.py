"""Reference SSIM values for StructuralSimilarityTests.

Re-implements scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=2, channel_axis=0) with scipy.ndimage.gaussian_filter
(truncate=3.5, the same call scikit-image makes), so it runs where only numpy and scipy are installed.
The test images are integer formulas, rebuilt identically in the Swift test.
Run: python3 Tests/ModelsTests/Fixtures/ssim_reference.py
"""
import numpy as np
from scipy.ndimage import gaussian_filter


def test_images(height=16, width=20):
    c, y, x = np.meshgrid(np.arange(3), np.arange(height), np.arange(width), indexing="ij")
    a = ((x * 7 + y * 13 + c * 5) % 17) / 8.0 - 1.0
    b = np.clip(a + ((x * 3 + y * 5 + c) % 7 - 3) / 20.0, -1.0, 1.0)
    return a.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)


def ssim_channel(x, y, data_range=2.0, sigma=1.5, truncate=3.5, k1=0.01, k2=0.03):
    args = dict(sigma=sigma, truncate=truncate)
    ux, uy = gaussian_filter(x, **args), gaussian_filter(y, **args)
    uxx, uyy, uxy = gaussian_filter(x * x, **args), gaussian_filter(y * y, **args), gaussian_filter(x * y, **args)
    vx, vy, vxy = uxx - ux * ux, uyy - uy * uy, uxy - ux * uy
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
    pad = (2 * int(truncate * sigma + 0.5) + 1 - 1) // 2
    return s[pad:-pad, pad:-pad].mean()


if __name__ == "__main__":
    a, b = test_images()
    print(repr(np.mean([ssim_channel(a[i], b[i]) for i in range(3)])))
    print(repr(np.mean([ssim_channel(a[i], -a[i]) for i in range(3)])))
