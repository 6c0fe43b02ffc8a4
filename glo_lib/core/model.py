"""GLO with class/content codes: two learned code tables and a small convolutional generator.

There is no encoder: every training image i owns a content code c_i and every class k a
class code e_k; G([e_label(i), c_i + noise]) must reproduce image i (latent optimisation).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import GLOConfig
from .precision import autocast


class CourseGenerator(nn.Module):
    """The course's generator: [class code, content code] -> a 32 x 7 x 7 map -> two transposed
    convolutions -> 1 x 28 x 28 in [0, 1]. About 60k weights at 16 + 16 code lengths."""

    def __init__(self, class_dim: int, content_dim: int, width: int = 32):
        super().__init__()
        self.width = width
        self.fc = nn.Sequential(nn.Linear(class_dim + content_dim, width * 7 * 7), nn.LeakyReLU(0.2))
        self.up = nn.Sequential(
            nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1),  # 7 -> 14
            nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(width // 2, 1, 4, stride=2, padding=1),  # 14 -> 28
            nn.Sigmoid(),  # pixels of MNIST live in [0, 1]
        )

    def forward(self, class_code: torch.Tensor, content_code: torch.Tensor) -> torch.Tensor:
        z = torch.cat([class_code, content_code], dim=1)
        return self.up(self.fc(z).view(-1, self.width, 7, 7))


class ConvGenerator(nn.Module):
    """Deeper: [class, content] -> 64 x 7 x 7 -> two transposed convolutions (7 -> 14 -> 28) and a
    3 x 3 convolution, batch norm after each hidden layer (steadier training of the wider net)."""

    def __init__(self, class_dim: int, content_dim: int, width: int = 64):
        super().__init__()
        self.width = width
        self.fc = nn.Sequential(nn.Linear(class_dim + content_dim, width * 7 * 7),
                                nn.BatchNorm1d(width * 7 * 7), nn.LeakyReLU(0.2))
        self.up = nn.Sequential(
            nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1), nn.BatchNorm2d(width // 2),
            nn.LeakyReLU(0.2),  # 7 -> 14
            nn.ConvTranspose2d(width // 2, width // 4, 4, stride=2, padding=1), nn.BatchNorm2d(width // 4),
            nn.LeakyReLU(0.2),  # 14 -> 28
            nn.Conv2d(width // 4, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, class_code: torch.Tensor, content_code: torch.Tensor) -> torch.Tensor:
        z = torch.cat([class_code, content_code], dim=1)
        return self.up(self.fc(z).view(-1, self.width, 7, 7))


class AdaIN(nn.Module):
    """Adaptive instance normalisation (Huang & Belongie 2017): each channel of each image is
    normalised to zero mean and unit variance, then scaled and shifted by values the class code sets."""

    def __init__(self, class_dim: int, channels: int):
        super().__init__()
        self.style = nn.Linear(class_dim, 2 * channels)  # per channel: scale and shift

    def forward(self, x: torch.Tensor, class_code: torch.Tensor) -> torch.Tensor:
        scale, shift = self.style(class_code).unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)
        return F.instance_norm(x) * (1 + scale) + shift


class LordGenerator(nn.Module):
    """LORD's design sized for 28 x 28 and a CPU: the content code alone goes through fully
    connected layers to a 32 x 7 x 7 map; two blocks (upsample x2, 3 x 3 convolution, LeakyReLU,
    AdaIN) take it to 32 x 14 x 14 and 16 x 28 x 28, the class code setting every block's AdaIN;
    a 3 x 3 convolution draws the image."""

    def __init__(self, class_dim: int, content_dim: int, widths: tuple[int, ...] = (32, 32, 16), hidden: int = 64):
        super().__init__()
        self.width = widths[0]
        self.fc = nn.Sequential(nn.Linear(content_dim, hidden), nn.LeakyReLU(0.2),
                                nn.Linear(hidden, widths[0] * 7 * 7), nn.LeakyReLU(0.2))
        self.convs = nn.ModuleList([nn.Conv2d(a, b, 3, padding=1) for a, b in zip(widths, widths[1:])])
        self.adains = nn.ModuleList([AdaIN(class_dim, b) for b in widths[1:]])
        self.out = nn.Sequential(nn.Conv2d(widths[-1], 1, 3, padding=1), nn.Sigmoid())

    def forward(self, class_code: torch.Tensor, content_code: torch.Tensor) -> torch.Tensor:
        x = self.fc(content_code).view(-1, self.width, 7, 7)
        for conv, adain in zip(self.convs, self.adains):
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")  # 7 -> 14 -> 28
            x = adain(F.leaky_relu(conv(x), 0.2), class_code)
        return self.out(x)


#: GLOConfig.generator -> the generator class
GENERATORS = {"course": CourseGenerator, "conv": ConvGenerator, "lord": LordGenerator}


def init_codes(table: nn.Embedding, how: str) -> None:
    """"normal": N(0, 1), as nn.Embedding starts (left as drawn); "lord": uniform in +-0.05, as
    the official LORD code starts its codes."""
    if how == "lord":
        nn.init.uniform_(table.weight, -0.05, 0.05)


class GLOModel(nn.Module):
    """Class-code table, content-code table and generator, trained jointly."""

    def __init__(self, n_images: int, n_classes: int, cfg: GLOConfig):
        super().__init__()
        self.noise_std = cfg.noise_std
        self.class_codes = nn.Embedding(n_classes, cfg.class_dim)
        self.content_codes = nn.Embedding(n_images, cfg.content_dim)
        self.generator = GENERATORS[cfg.generator](cfg.class_dim, cfg.content_dim)
        for table in (self.class_codes, self.content_codes):
            init_codes(table, cfg.code_init)
        self.precision = cfg.resolved_precision()  # what it trains and draws in: "fp32" or "bf16"
        # oneDNN's preferred layout for the convolutions (the same function; benchmarks/run.py)
        self.to(memory_format=torch.channels_last)

    def forward(self, image_ids: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Reconstruct training images; returns (images, the content codes used, noise-free)."""
        content = self.content_codes(image_ids)
        noisy = content
        if self.training and self.noise_std > 0:
            # the noise bounds what the content code can carry, pushing class into the class code
            noisy = content + self.noise_std * torch.randn_like(content)
        return self.generator(self.class_codes(labels), noisy), content

    def generate_from_ids(self, class_ids: torch.Tensor, content_codes: torch.Tensor,
                          precision: str = "") -> torch.Tensor:
        """Images from any class ids and any content codes (no noise, no gradients), drawn in
        ``precision`` (default: the run's)."""
        device = self.class_codes.weight.device
        with torch.no_grad(), autocast(precision or self.precision, device):
            class_ids = torch.as_tensor(class_ids, device=device)
            content_codes = torch.as_tensor(content_codes, dtype=torch.float32, device=device)
            return self.generator(self.class_codes(class_ids), content_codes).float()

    def generate_from_codes(self, class_codes: torch.Tensor, content_codes: torch.Tensor) -> torch.Tensor:
        """Images from raw class and content vectors (for samplers that draw class codes too)."""
        with torch.no_grad(), autocast(self.precision, self.class_codes.weight.device):
            return self.generator(class_codes.float(), content_codes.float()).float()

    def reconstruct(self, image_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Noise-free reconstructions of training images, in fp32 (what the MSE is measured on)."""
        return self.generate_from_ids(labels, self.content.detach()[image_ids], precision="fp32")

    @property
    def content(self) -> torch.Tensor:
        """The learned content codes, one row per training image."""
        return self.content_codes.weight

    @property
    def classes(self) -> torch.Tensor:
        """The learned class codes, one row per class."""
        return self.class_codes.weight


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
