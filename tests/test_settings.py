"""The study settings: one home per knob, validated at construction, shrunk by ``smoke()``, and the
notebooks' parameters cells generated from them."""
import json
from dataclasses import fields

import pytest

from conftest import ROOT
from glo_lib import GLOConfig
from glo_lib.core.encoders import EncoderSettings
from glo_lib.core.config import Settings
from glo_lib.reporting.build import UsageError, parameter_table, plan
from glo_lib.reporting.cells import parameters_cell_index, stale_cells
from glo_lib.studies.settings import (NOTEBOOK_SETTINGS, FrontierSettings, HeldoutSettings, JudgeSettings,
                                      LossStudySettings, NoiseStudySettings, ProbeSettings, SamplingSettings,
                                      SeedSettings, loss_study_config, notebook_fields, parameters_cell)

STUDY_CLASSES = sorted({c for classes in NOTEBOOK_SETTINGS.values() for c in classes}, key=lambda c: c.__name__)


# --- the parameters cells -----------------------------------------------------------------------

def test_every_notebook_has_settings_and_every_cell_is_generated_from_them():
    on_disk = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert on_disk == sorted(NOTEBOOK_SETTINGS)
    stale = stale_cells(ROOT)
    assert not stale, ("parameters cells differ from their settings classes; run "
                       f"`python -m glo_lib.reporting.cells`: {[p.name for p in stale]}")


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_SETTINGS))
def test_a_cell_holds_each_default_and_help_of_its_settings(notebook):
    nb = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text())
    cell = "".join(nb["cells"][parameters_cell_index(nb)]["source"])
    assert cell == parameters_cell(notebook)
    for name, (cls, default, meaning) in notebook_fields(notebook).items():
        assert f"\n{name}: " in f"\n{cell}" and meaning and f"  # {meaning}" in cell, name
    assert cell.splitlines()[-1].startswith("smoke: bool = False  # ")


def test_a_changed_default_makes_the_cell_stale(monkeypatch):
    monkeypatch.setattr(JudgeSettings.__dataclass_fields__["judge_epochs"], "default", 11)
    monkeypatch.setattr(JudgeSettings.__init__, "__defaults__", (11, 1000))
    assert "judge_epochs: int = 11  #" in parameters_cell("02_noise_study")
    assert ROOT / "notebooks" / "02_noise_study.ipynb" in stale_cells(ROOT)


def test_one_name_has_one_meaning_across_every_settings_class():
    seen = {}
    for cls in STUDY_CLASSES:
        defaults, helps = cls().to_dict(), cls.help()
        for f in fields(cls):
            if f.name in seen:
                assert seen[f.name] == (defaults[f.name], helps[f.name]), f"{f.name} differs in {cls.__name__}"
            seen[f.name] = (defaults[f.name], helps[f.name])


def test_every_field_has_one_line_of_meaning():
    for cls in STUDY_CLASSES:
        for name, meaning in cls.help().items():
            assert meaning and "\n" not in meaning, f"{cls.__name__}.{name}"


def test_glo_report_params_reads_the_settings():
    table = parameter_table(ROOT).set_index("parameter")
    assert table.loc["judge_epochs", "notebooks"] == "02, 03, 04, 05, 06"  # one judge knob for all
    assert table.loc["n_generated", "notebooks"] == "02, 03, 04, 05, 06"
    assert table.loc["sigmas", "default"] == "[0.0, 0.1, 0.3, 0.7, 1.0]"
    assert table.loc["seed", "meaning"] == GLOConfig.help()["seed"]
    assert "perceptual_judge_epochs" not in table.index  # judge_epochs drives that judge too


# --- validation at construction -----------------------------------------------------------------

@pytest.mark.parametrize("cls, name, bad, message", [
    (NoiseStudySettings, "sigmas", [], "sigmas must be a non-empty list"),
    (NoiseStudySettings, "sigmas", [0.3, -1], "sigmas must be"),
    (NoiseStudySettings, "sigmas", "0.3", "sigmas must be"),
    (NoiseStudySettings, "content_decays", [0.0, 0], "content_decays must be .* each value once"),
    (NoiseStudySettings, "mse_tolerance", -0.1, "mse_tolerance must be a finite number >= 0"),
    (NoiseStudySettings, "evolution_epochs", [0, 5], "evolution_epochs must be"),
    (SeedSettings, "seeds", [0.5], "seeds must be a list of integers"),
    (SeedSettings, "seeds", [0, 0], "seeds must be .* each value once"),
    (JudgeSettings, "judge_epochs", 0, "judge_epochs must be an integer >= 1"),
    (JudgeSettings, "n_generated", 99, "n_generated must be an integer >= 100"),
    (FrontierSettings, "families", ["unet/normal"], "families must be drawn from"),
    (FrontierSettings, "frontier_seeds", [], "frontier_seeds must be"),
    (FrontierSettings, "class_dims", [0], "class_dims must be"),
    (FrontierSettings, "frontier_sigmas", [], "frontier_sigmas must be"),
    (LossStudySettings, "losses", ["l1", "l3"], "losses must be a non-empty list of distinct names from"),
    (LossStudySettings, "losses", "l1", "losses must be a non-empty list of distinct names from"),
    (LossStudySettings, "losses", None, "losses must be a non-empty list of distinct names from"),
    (SamplingSettings, "samplers", ["uniform"], "samplers must be drawn from"),
    (SamplingSettings, "explorer_sigmas", [0.3, -1], "explorer_sigmas must be"),
    (SamplingSettings, "n_paths", 2.5, "n_paths must be an integer"),
    (ProbeSettings, "learn_lr_ratio", -1.0, "learn_lr_ratio must be a finite number >= 0"),
    (ProbeSettings, "learn_inits", "lord", "learn_inits must be a non-empty list"),
    (HeldoutSettings, "n_heldout", 5, "n_heldout must be an integer >= 10"),
    (EncoderSettings, "lr_finetune", 0, "lr_finetune must be a finite number > 0"),
])
def test_bad_values_are_refused_by_name(cls, name, bad, message):
    with pytest.raises(ValueError, match=f"^{message}") as err:
        cls(**{name: bad})
    assert err.value.name == name


def test_lists_become_tuples_and_settings_stay_hashable():
    s = NoiseStudySettings(sigmas=[1.0, 0.0], content_decays=[0.0])
    assert s.sigmas == (1.0, 0.0) and hash(s)
    assert NoiseStudySettings.from_params({"sigmas": [0.0, 0.3], "unrelated": 1}).sigmas == (0.0, 0.3)


# --- what the settings plan -----------------------------------------------------------------------

def test_the_noise_grid_keeps_the_figures_decay_and_seed_and_smoke_shrinks_it():
    cfg = GLOConfig(content_decay=0.001, seed=0)
    grid = NoiseStudySettings(sigmas=[1.0, 0.0, 0.3], content_decays=[0.0]).grid(cfg, SeedSettings(seeds=[1, 2]))
    assert grid == {"noise_std": [0.0, 0.3, 1.0], "content_decay": [0.0, 0.001], "seed": [0, 1, 2]}
    noise = NoiseStudySettings(sigmas=[1.0, 0.0, 0.3], content_decays=[0.0, 0.001]).smoke()
    smoke = noise.grid(cfg.replace(seed=1), SeedSettings(seeds=[1, 2]).smoke())
    assert smoke == {"noise_std": [0.0, 1.0], "content_decay": [0.0, 0.001], "seed": [1]}
    assert NoiseStudySettings(evolution_epochs=[25, 1, 5, 50]).snapshot_epochs(10) == [1, 5]


def test_seed_orders():
    assert SeedSettings(seeds=[0, 1, 2]).first(2) == [2, 0, 1]
    assert SeedSettings(seeds=[2, 1]).sorted_with(0) == [0, 1, 2]
    assert SeedSettings().smoke().first(3) == [3]


def test_one_judge_setting_and_its_smoke():
    assert JudgeSettings().to_dict() == {"judge_epochs": 10, "n_generated": 1000}
    assert JudgeSettings().smoke() == JudgeSettings(judge_epochs=1, n_generated=200)
    assert JudgeSettings(n_generated=150).smoke().n_generated == 150
    cfg = loss_study_config(GLOConfig(), JudgeSettings(judge_epochs=3))
    assert cfg == GLOConfig().replace(perceptual_judge_epochs=3)  # the perceptual loss reads through that judge


def test_frontier_configs_always_hold_the_configs_family_and_smoke_shrinks():
    base = GLOConfig()
    configs = FrontierSettings(families=["course/normal", "conv/lord"], frontier_sigmas=[0.0, 0.3, 1.0],
                               frontier_seeds=[0, 1]).configs(base)
    assert len(configs) == 18 and {(c.generator, c.code_init) for c in configs} == {
        ("course", "normal"), ("conv", "lord"), ("conv", "normal")}
    smoke = FrontierSettings(families=["lord/lord"], frontier_sigmas=[0.0, 0.3, 1.0], frontier_seeds=[0, 1],
                             class_dims=[64, 16, 32]).smoke()
    assert {(c.generator, c.code_init, c.noise_std, c.seed) for c in smoke.configs(base)} == {
        ("course", "normal", 0.0, 0), ("course", "normal", 1.0, 0), ("conv", "normal", 0.0, 0), ("conv", "normal", 1.0, 0)}
    assert FrontierSettings(class_dims=[64, 16, 32], frontier_seeds=[0, 1]).sizes_grid() == {
        "class_dim": [16, 32, 64], "seed": [0, 1]}
    assert smoke.sizes_grid() == {"class_dim": [16, 64], "seed": [0]}


def test_smoke_shrinks_sampling_heldout_and_encoders():
    assert SamplingSettings().smoke().n_paths == 40 and SamplingSettings(n_paths=20).smoke().n_paths == 20
    assert HeldoutSettings().smoke().n_heldout == 100 and HeldoutSettings(n_heldout=50).smoke().n_heldout == 50
    assert isinstance(EncoderSettings().smoke(), Settings)


def test_the_build_checks_each_notebooks_parameters_with_its_settings():
    nb = ROOT / "notebooks" / "06_encoders.ipynb"
    assert plan({"smoke": True, "anchor_weight": 1.0}, [nb]) == {nb: {"smoke": True, "anchor_weight": 1.0}}
    with pytest.raises(UsageError, match="^06_encoders.ipynb: lr_finetune must be a finite number > 0") as err:
        plan({"lr_finetune": 0}, [nb])
    assert err.value.parameter == "lr_finetune"
    with pytest.raises(UsageError, match="^02_noise_study.ipynb: n_generated must be an integer >= 100"):
        plan({"n_generated": 50}, [ROOT / "notebooks" / "02_noise_study.ipynb"])
