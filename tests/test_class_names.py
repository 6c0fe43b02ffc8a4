"""Class names travel with the data: a Fashion-MNIST run's figures title their columns and ticks
with the garments, MNIST's with the digits, without being told the dataset."""
import numpy as np
import pytest
import torch

from glo_lib import narrative

from glo_lib import GLOConfig, load_digits, train
from glo_lib.core.data import CLASS_NAMES, DIGIT_NAMES, SYSTEM_FOLDERS, ByClass, class_names_of
from glo_lib.reporting import charts, figures
from glo_lib.reporting.explorer import explore
from glo_lib.studies import noise_study, sampling_study

FASHION = CLASS_NAMES["fashion-mnist"]
pytestmark = pytest.mark.skipif(not SYSTEM_FOLDERS["fashion-mnist"].is_dir(),
                                reason="Debian's dataset-fashion-mnist is not installed")


@pytest.fixture(scope="module")
def fashion_run():
    cfg = GLOConfig(dataset="fashion-mnist", n_samples=40, epochs=1, batch_size=20, generator="course")
    return train(cfg, load_digits(cfg), progress=False)


def _titles(fig):
    return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels()]


def test_transfer_rows_and_their_figure_name_the_garments(fashion_run):
    d = fashion_run.digits
    rows = sampling_study.transfer_rows(fashion_run.model, d, torch.tensor([0, 1]))
    assert rows.class_names == FASHION
    assert next(iter(rows)).endswith(f"(a {FASHION[int(d.labels[0])]})")
    assert _titles(figures.transfer_rows_figure(rows)) == ["real", *FASHION]
    sweep_rows = noise_study.transfer_rows({"sigma 0.3": fashion_run}, torch.tensor([0]))
    assert class_names_of(sweep_rows) == FASHION


def test_rows_without_names_keep_the_digits():
    rows = {"image 1": torch.zeros(11, 1, 28, 28)}
    assert _titles(figures.transfer_rows_figure(rows)) == ["real", *DIGIT_NAMES]


def test_the_explorer_names_the_class(fashion_run):
    d = fashion_run.digits
    fig = explore(fashion_run, 0, 7, 0.0, n_draws=1)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].endswith(f"(a {d.class_name(d.labels[0])})") and titles[2] == "as a Sneaker"


def test_the_data_sentence_names_the_classes_of_images_that_are_not_digits(fashion_run):
    from glo_lib.narrative.table1 import data_sentence

    said = data_sentence(fashion_run.digits)
    assert "40 images of 10 classes (T-shirt/top, Trouser," in said and "digit" not in said
    assert "4 per class; 10000 other real images are held out" in said


def test_encoder_transfer_rows_name_the_garments(fashion_run):
    from glo_lib.core.encoders import EncoderSettings, build_amortized
    from glo_lib.studies import encoders

    d = fashion_run.digits
    model = build_amortized(fashion_run, EncoderSettings())  # untrained is enough: names, not quality
    rows = encoders.transfer_rows(model, {"held-out": (d.heldout_images[:2], d.heldout_labels[:2])})
    assert rows.class_names == FASHION
    assert list(rows)[0] == f"held-out 1 (a {FASHION[int(d.heldout_labels[0])]})"
    assert _titles(figures.transfer_rows_figure(rows)) == ["real", *FASHION]


def test_the_samplers_table_and_sentence_name_the_class_the_judge_sees_most(fashion_run):
    from glo_lib.core.judge import judge_test_set, train_judge

    d = fashion_run.digits
    assert fashion_run.model.class_names == FASHION  # a function given only the model can name classes
    judge = train_judge(d, epochs=1)
    real, real_labels = judge_test_set(d)
    table, _ = sampling_study.compare_samplers(fashion_run.model, judge, d.labels, real[:100], real_labels[:100],
                                               n=50, samplers=["random", "gaussian"])
    shown = sampling_study.display_table(table)
    top = FASHION[int(table.loc["random", "most_judged"])]
    assert shown.columns[-1] == "top class (share)" and shown.iloc[0, -1].startswith(f"{top} (")
    assert f"of their images a {top} (an even spread" in narrative.sampling.random_sentence(table)
