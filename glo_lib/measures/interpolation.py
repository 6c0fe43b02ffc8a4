"""Walking through the code space: class transfer grids and interpolations between codes.

GLO has no encoder, so every picture here starts from learned codes: the content code of a
training image (its stroke, slant and width) and the class code of a digit. Paths are
linear, ``(1 - t) a + t b``, which hits both ends exactly (no rounding at t = 0 or t = 1).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..checks import check_int
from ..core.judge import Judge
from ..core.model import GLOModel
from ..seeding import seeded_generator
from .metrics import transfer_images


def lerp(a: torch.Tensor, b: torch.Tensor, steps: int) -> torch.Tensor:
    """``steps`` evenly spaced points from ``a`` to ``b`` (both included), one per row.

    ``a`` and ``b`` may also be matching stacks of codes (n x d): then the n paths follow
    one another, ``steps`` rows each.
    """
    check_int("steps", steps, 2)  # both ends are included
    a, b = a.detach().cpu().float(), b.detach().cpu().float()
    t = torch.linspace(0, 1, steps).unsqueeze(1)
    if a.dim() == 1:
        return (1 - t) * a + t * b
    return ((1 - t) * a[:, None] + t * b[:, None]).reshape(-1, a.shape[1])


def content_interpolation(model: GLOModel, id_a: int, id_b: int, class_id: int, steps: int = 9) -> torch.Tensor:
    """Images along the path from image a's content code to image b's, all with class ``class_id``."""
    content = model.content.detach()
    codes = lerp(content[id_a], content[id_b], steps)
    return model.eval().generate_from_ids(torch.full((steps,), int(class_id)), codes).cpu()


def class_interpolation(model: GLOModel, content_code: torch.Tensor, class_a: int, class_b: int,
                        steps: int = 9) -> torch.Tensor:
    """Images along the path from class code a to class code b, all with one content code."""
    classes = model.classes.detach()
    class_vecs = lerp(classes[class_a], classes[class_b], steps)
    content = content_code.detach().cpu().float().expand(steps, -1)
    dev = classes.device
    return model.eval().generate_from_codes(class_vecs.to(dev), content.to(dev)).cpu()


def distinct_digit_ids(labels: torch.Tensor, n: int = 8, seed: int = 0) -> torch.Tensor:
    """Indices of ``n`` training images, of as many different digits as possible (seeded pick)."""
    labels = labels.cpu()
    gen = seeded_generator(seed, "distinct-ids")
    order = torch.randperm(len(labels), generator=gen)
    picked, seen = [], set()
    for i in order.tolist():  # first pass: one image per digit
        if int(labels[i]) not in seen:
            picked.append(i)
            seen.add(int(labels[i]))
    chosen = set(picked)
    rest = [i for i in order.tolist() if i not in chosen]
    return torch.tensor((picked + rest)[:n])


def transfer_grid(model: GLOModel, ids: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """Row i, column k: training image ``ids[i]``'s content code rendered as digit k (rows * K images)."""
    images, _ = transfer_images(model, model.content.detach()[torch.as_tensor(ids)], n_classes)
    return images


def content_path_agreement(model: GLOModel, judge: Judge, labels: torch.Tensor, n_paths: int = 200,
                           steps: int = 9, seed: int = 0) -> pd.DataFrame:
    """Share of frames the judge calls the fixed class at each point t of content paths.

    Paths join the content codes of random pairs of training images of different digits; the
    class code is one of the two images' classes, chosen at random. A disentangled model keeps
    the digit all the way; a content code that carries the digit pulls it over midway.
    """
    gen = seeded_generator(seed, "content-paths")
    labels = labels.cpu()
    a = torch.randint(len(labels), (n_paths,), generator=gen)
    b = torch.randint(len(labels), (n_paths,), generator=gen)
    keep = labels[a] != labels[b]
    a, b = a[keep], b[keep]
    fixed = torch.where(torch.rand(len(a), generator=gen) < 0.5, labels[a], labels[b])
    content = model.content.detach().cpu()
    images = model.eval().generate_from_ids(fixed.repeat_interleave(steps), lerp(content[a], content[b], steps)).cpu()
    hit = (judge.predict(images) == fixed.repeat_interleave(steps)).float().view(-1, steps)
    return pd.DataFrame({"t": np.linspace(0, 1, steps), "agreement": hit.mean(0).numpy(),
                         "paths": len(a)})


def class_path_calls(model: GLOModel, judge: Judge, n_paths: int = 200, steps: int = 9,
                     seed: int = 0, n_classes: int = 10) -> pd.DataFrame:
    """Share of frames the judge calls class a, class b or another digit at each point t.

    Each path keeps one random training image's content code and moves from a random class
    code a to a different random class code b.
    """
    gen = seeded_generator(seed, "class-paths")
    ids = torch.randint(len(model.content), (n_paths,), generator=gen)
    ca = torch.randint(n_classes, (n_paths,), generator=gen)
    cb = (ca + torch.randint(1, n_classes, (n_paths,), generator=gen)) % n_classes  # never equal to ca
    classes, dev = model.classes.detach(), model.classes.device
    class_vecs = lerp(classes[ca], classes[cb], steps)
    content = model.content.detach().cpu()[ids].repeat_interleave(steps, dim=0)
    images = model.eval().generate_from_codes(class_vecs.to(dev), content.to(dev)).cpu()
    calls = judge.predict(images).view(-1, steps)
    is_a = (calls == ca.unsqueeze(1)).float().mean(0)
    is_b = (calls == cb.unsqueeze(1)).float().mean(0)
    return pd.DataFrame({"t": np.linspace(0, 1, steps), "class a": is_a.numpy(), "class b": is_b.numpy(),
                         "another digit": (1 - is_a - is_b).numpy(), "paths": n_paths})
