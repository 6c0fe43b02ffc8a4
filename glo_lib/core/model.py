"""GLO with class/content codes: two learned code tables and a small convolutional generator.

There is no encoder: every training image i owns a content code c_i and every class k a
class code e_k; G([e_label(i), c_i + noise]) must reproduce image i (latent optimisation).
"""
from __future__ import annotations

import torch
from torch import nn

from .config import GLOConfig


class Generator(nn.Module):
    """[class code, content code] -> 1 x 28 x 28 image in [0, 1].

    About 60k weights at the default code lengths, like the course generator, so the
    Table 1 run trains in seconds on a laptop CPU.
    """

    def __init__(self, in_dim: int, width: int = 32):
        super().__init__()
        self.width = width
        self.fc = nn.Sequential(nn.Linear(in_dim, width * 7 * 7), nn.LeakyReLU(0.2))
        # transposed convolutions: the cheapest upsampling on a CPU (see benchmarks/)
        self.up = nn.Sequential(
            nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1),  # 7 -> 14
            nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(width // 2, 1, 4, stride=2, padding=1),  # 14 -> 28
            nn.Sigmoid(),  # pixels of MNIST live in [0, 1]
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.up(self.fc(z).view(-1, self.width, 7, 7))


class GLOModel(nn.Module):
    """Class-code table, content-code table and generator, trained jointly."""

    def __init__(self, n_images: int, n_classes: int, cfg: GLOConfig):
        super().__init__()
        self.noise_std = cfg.noise_std
        # N(0, 1) initial codes, as nn.Embedding (and the course code) start them
        self.class_codes = nn.Embedding(n_classes, cfg.class_dim)
        self.content_codes = nn.Embedding(n_images, cfg.content_dim)
        self.generator = Generator(cfg.class_dim + cfg.content_dim)

    def forward(self, image_ids: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Reconstruct training images; returns (images, the content codes used, noise-free)."""
        content = self.content_codes(image_ids)
        noisy = content
        if self.training and self.noise_std > 0:
            # the noise bounds what the content code can carry, pushing class into the class code
            noisy = content + self.noise_std * torch.randn_like(content)
        return self.generator(torch.cat([self.class_codes(labels), noisy], dim=1)), content

    def generate(self, class_ids: torch.Tensor, content_codes: torch.Tensor) -> torch.Tensor:
        """Images from any class ids and any content codes (no noise, no gradients)."""
        with torch.no_grad():
            class_ids = torch.as_tensor(class_ids, device=self.class_codes.weight.device)
            content_codes = torch.as_tensor(content_codes, dtype=torch.float32,
                                            device=self.class_codes.weight.device)
            return self.generator(torch.cat([self.class_codes(class_ids), content_codes], dim=1))

    def generate_from_codes(self, class_codes: torch.Tensor, content_codes: torch.Tensor) -> torch.Tensor:
        """Images from raw class and content vectors (for samplers that draw class codes too)."""
        with torch.no_grad():
            return self.generator(torch.cat([class_codes, content_codes], dim=1).float())

    def reconstruct(self, image_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Noise-free reconstructions of training images."""
        return self.generate(labels, self.content.detach()[image_ids])

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
