"""The adversary: a small classifier that reads the class from the content codes, and the term
that trains the codes to defeat it (``GLOConfig.adversary_weight``; 0, the default, is off).

The min-max alternates as Fader Networks' latent discriminator does (Lample et al. 2017,
"Fader Networks", section 3.3), once per training batch:

(a) the adversary takes one Adam step on the batch's content codes, detached, with cross-entropy
    against the labels: it learns what class the codes carry now;
(b) the GLO loss gains ``weight(t) * CE(adversary(c), y')``, y' a class other than the image's own,
    drawn afresh for every code at every step: the codes (only they; the generator never sees the
    adversary) move toward where the adversary, as it is after (a), reads a wrong class.

Choices, and why:

- The adversary reads the **clean** codes c, not c + noise. The leakage that matters is what the
  codes themselves hold: the fresh probe that judges every run reads clean codes, and noise would
  make the adversary's task harder without removing any class from c, so codes could look
  "defeated" while a probe still reads them.
- The fool target is Fader's **random other class**, chosen by measurement against the
  deterministic targets. On 200 digits whose codes start clustered by class (course generator,
  sigma 0, content lr 0.05, 20 epochs, seed 0; 0.43 / 0.57 read by a fresh logistic / MLP probe
  without an adversary) the fresh probe read 0.13-0.19 with the random other class (weights 0.3,
  1 and 5), 0.49-0.69 with the uniform target (the adversary's entropy maximised; weights 1, 5),
  0.85-0.98 with ``-CE(adversary(c), label)`` (1, 5) and 0.94-0.99 with CE toward the uniform
  distribution over the other classes (the random target's expectation; 0.3, 1), each at
  adversary learning rates 1e-3 and 3e-3. A deterministic target
  moves every code of a class the same way, so the class stays readable, only somewhere else
  (minus cross-entropy rewards reading every 3 as a 5, which a probe reads as well as the truth);
  a random target per code and step scatters a class's codes over the other classes' regions.
  The term is bounded below (by 0), so it cannot run away as minus cross-entropy can.
- The weight ramps linearly from 0 to ``adversary_weight`` over the first ``adversary_ramp_epochs``
  epochs, as Fader ramps ``lambda_lat_dis`` over ``lambda_schedule`` steps: at the start the
  adversary knows nothing, and a full-weight push against a random classifier only adds noise.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import GLOConfig

#: hidden units of the adversary: ample for 10 classes from a 16-d code, small beside the generator
ADVERSARY_HIDDEN = 64
#: Adam learning rate of the adversary's own optimiser: Adam's usual default; 3e-3 read about the
#: same in the measurement above (a fresh probe at 0.13-0.17 against 0.15-0.19)
ADVERSARY_LR = 1e-3


class Adversary(nn.Module):
    """content_dim -> hidden -> hidden -> n_classes: the class read from a content code (logits).
    Two hidden layers, not one: against one, the codes of the clustered start of
    tests/test_adversary.py kept more class (a fresh probe read 0.60-0.70 after 10 epochs, against
    0.49-0.56 with two; 0.86-0.95 without an adversary, 3 seeds)."""

    def __init__(self, content_dim: int, n_classes: int, hidden: int = ADVERSARY_HIDDEN):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(content_dim, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, n_classes))

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        return self.net(codes)


def ramp(weight: float, steps_done: int, ramp_steps: int) -> float:
    """The adversary's weight at the ``steps_done``-th optimiser step (counting from 1):
    ``weight * min(1, steps_done / ramp_steps)``, the full weight at once when ``ramp_steps`` is 0."""
    return weight if ramp_steps <= 0 else weight * min(1.0, steps_done / ramp_steps)


def fool_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the adversary's logits toward a random class other than each code's own
    (Fader Networks' flipped attribute), drawn from torch's seeded generator: small when the
    adversary reads each code as some wrong class."""
    shift = torch.randint(1, logits.shape[1], labels.shape, device=labels.device)  # 1..K-1: never 0
    return F.cross_entropy(logits, (labels + shift) % logits.shape[1])


class ContentAdversary:
    """The adversary of one training run: its network and optimiser, the ramp, and its accuracy
    over the epoch so far (kept on the device: one host sync per epoch)."""

    def __init__(self, cfg: GLOConfig, n_classes: int, steps_per_epoch: int, device: torch.device):
        self.weight = cfg.adversary_weight
        self.ramp_steps = cfg.adversary_ramp_epochs * steps_per_epoch
        self.net = Adversary(cfg.content_dim, n_classes).to(device)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=ADVERSARY_LR)
        self.steps = 0
        self.current = 0.0  # the ramped weight of the latest step
        self.correct = torch.zeros((), dtype=torch.long, device=device)
        self.seen = 0

    def train_then_fool(self, content: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """(a) one step of the adversary on the detached codes, then (b) the term that pushes the
        codes to fool it, weighted by the ramp: add it to the GLO loss before its backward."""
        self.net.train()
        logits = self.net(content.detach().float())
        loss = F.cross_entropy(logits, labels)
        self.opt.zero_grad(set_to_none=True)  # also drops what the last fool term left on it
        loss.backward()
        self.opt.step()
        self.correct += (logits.argmax(dim=1) == labels).sum()  # training accuracy, before the step
        self.seen += len(labels)
        self.steps += 1
        self.current = ramp(self.weight, self.steps, self.ramp_steps)
        # gradients reach the codes; those on the adversary's weights are dropped at its next step
        return self.current * fool_loss(self.net(content.float()), labels)

    def end_epoch(self) -> dict[str, float]:
        """The epoch's history columns: ``adversary_accuracy`` (its training accuracy over the
        epoch's batches) and ``adversary_weight`` (the ramped weight at the epoch's end)."""
        row = {"adversary_accuracy": self.correct.item() / max(self.seen, 1),
               "adversary_weight": self.current}
        self.correct.zero_()
        self.seen = 0
        return row


def make_adversary(cfg: GLOConfig, n_classes: int, steps_per_epoch: int,
                   device: torch.device) -> ContentAdversary | None:
    """The run's adversary, or None when ``cfg.adversary_weight`` is 0 (then nothing about the
    training changes: no network is built, no random number drawn)."""
    if cfg.adversary_weight == 0:
        return None
    return ContentAdversary(cfg, n_classes, steps_per_epoch, device)
