"""Figures and charts: each takes data and returns a figure that shows what it was given."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from glo_lib import GLOConfig  # noqa: E402
from glo_lib.reporting import charts, figures  # noqa: E402
from glo_lib.studies.sampling_study import Drawn  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _images(n, value=0.5):
    return torch.full((n, 1, 28, 28), value)


def test_image_grid_lays_out_rows_of_nrow_with_padding():
    fig = figures.image_grid(_images(20), nrow=8)
    shown = fig.axes[0].images[0].get_array()
    # make_grid: 3 rows x 8 columns of 28 px, 2 px padding around every cell
    assert shown.shape == (3 * 30 + 2, 8 * 30 + 2)


def test_image_rows_labels_every_row_and_pads_short_ones():
    fig = figures.image_rows({"ground truth": _images(5), "model": _images(3, 1.0)})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ground truth", "model"]
    shown = ax.images[0].get_array()
    assert shown.shape == (2 * 30 + 2, 5 * 30 + 2)
    assert shown[32 + 15, 3 * 30 + 15] == 0.0  # the missing cells of the short row are blank


def test_label_columns_puts_titles_on_top():
    fig = figures.label_columns(figures.image_rows({"a": _images(3)}), ["real", "0", "1"])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["real", "0", "1"]


def test_model_diagram_reads_its_sizes_from_the_config():
    fig = figures.model_diagram(GLOConfig(class_dim=8, content_dim=12, noise_std=0.7), n_params=1234)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "8-d" in texts and "12-d" in texts and "0.7^2" in texts and "1,234 weights" in texts


def test_by_class_puts_class_k_in_column_k_and_blanks_missing_ones():
    images = torch.arange(6, dtype=torch.float32).view(6, 1, 1, 1).expand(6, 1, 28, 28)
    classes = torch.tensor([3, 3, 0, 1, 9, 9])
    laid = figures.by_class(images, classes, per_class=2)
    assert laid.shape == (20, 1, 28, 28)
    assert laid[3, 0, 0, 0] == 0 and laid[13, 0, 0, 0] == 1  # class 3: images 0 and 1
    assert laid[9, 0, 0, 0] == 4 and laid[19, 0, 0, 0] == 5
    assert laid[10].abs().sum() == 0  # class 0 has one image: its second cell is blank


def test_samplers_figure_has_one_titled_panel_per_sampler():
    drawn = {"random": Drawn(_images(40), None, torch.zeros(40, dtype=torch.long)),
             "gaussian": Drawn(_images(40), torch.arange(40) % 10, torch.arange(40) % 10)}
    fig = figures.samplers_figure(drawn)
    assert [ax.get_title() for ax in fig.axes] == ["random vectors (course report)", "class code + Gaussian content"]


def test_measure_vs_draws_seed_means_and_chance():
    df = pd.DataFrame({"noise_std": [0, 0, 1, 1], "probe_mlp": [0.2, 0.4, 0.1, 0.1]})
    fig = charts.measure_vs(df, "noise_std", ["probe_mlp"], ["MLP"], chance=0.1)
    ax = fig.axes[0]
    line = ax.lines[0]
    assert list(line.get_ydata()) == pytest.approx([0.3, 0.1])
    assert ax.get_xlabel() == "content noise $\\sigma$"
    assert [l.get_label() for l in ax.lines] == ["MLP", "chance (10%)"]


def test_confusion_heatmap_shows_row_shares():
    confusion = np.eye(10, dtype=int) * 8
    confusion[2, 3] = 2  # class code 2 is read as a 3 in 2 of 10 images
    fig = charts.confusion_heatmap(confusion)
    shown = fig.axes[0].collections[0].get_array().reshape(10, 10)
    assert shown[2, 2] == pytest.approx(0.8) and shown[2, 3] == pytest.approx(0.2)
    assert fig.axes[0].get_ylabel() == "class code"


def test_training_curves_has_a_titled_panel_per_measure():
    history = pd.DataFrame({"epoch": [1, 2, 3], "loss": [3.0, 2.0, 1.0], "mse": [0.3, 0.2, 0.1]})
    fig = charts.training_curves(history)
    assert [ax.get_title() for ax in fig.axes] == ["training objective", "MSE of noise-free reconstructions"]
    assert list(fig.axes[1].lines[0].get_ydata()) == [0.3, 0.2, 0.1]


def test_path_agreement_figure_plots_both_kinds_of_path():
    t = np.linspace(0, 1, 3)
    content = pd.DataFrame({"t": t, "agreement": [1.0, 0.5, 1.0]})
    classes = pd.DataFrame({"t": t, "class a": [1.0, 0.4, 0.0], "class b": [0.0, 0.4, 1.0],
                            "another digit": [0.0, 0.2, 0.0]})
    fig = charts.path_agreement_figure(content, classes)
    assert list(fig.axes[0].lines[0].get_ydata()) == [1.0, 0.5, 1.0]
    assert [line.get_label() for line in fig.axes[1].lines] == ["class a", "class b", "another digit"]


def _measures(sigmas=(0.0, 0.3, 1.0), seeds=(0, 1), shift=0.0):
    rows = [{"noise_std": s, "seed": k, "probe_mlp": 0.1 + 0.2 * (1 - s) + shift, "transfer_accuracy": 0.6 + 0.3 * s,
             "mse": 0.01 + 0.01 * s + 0.001 * k, "content_norm": 3.0 - s, "diversity": 0.9 - 0.3 * s,
             "content_decay": d, "probe_logreg": 0.1} for s in sigmas for k in seeds for d in (0.0, 0.001)]
    return pd.DataFrame(rows)


def _frontier():
    from glo_lib.studies.frontier import frontier_table

    rows = _measures().assign(generator="conv", code_init="normal")
    other = _measures().assign(generator="lord", code_init="lord", mse=lambda d: d.mse * 2)
    return frontier_table(pd.concat([rows, other]))


def _report_figures():
    """Every kind of figure the report shows, with data shaped like the full build's (the fonts of
    these print at 8 pt or more; REPORT_FIGURES holds all the report's figures)."""
    return {name: REPORT_FIGURES[name]() for name in PRINTED_AS_DRAWN}


#: the figures drawn at the size the PDF prints them
PRINTED_AS_DRAWN = ("diagram", "rows", "transfer", "samplers", "decay", "leakage", "frontier", "bits")


def _bits():
    from glo_lib.studies.frontier import bits_table

    return bits_table(_measures().assign(generator="conv", code_init="normal", content_var=1.0, content_dim=16,
                                         n_samples=256))


def _history(epochs=20, shift=0.0):
    e = np.arange(1, epochs + 1)
    return pd.DataFrame({"epoch": e, "loss": 1.0 / e + shift, "mse": 0.05 / e + 0.01 + shift / 10,
                         "l1": 0.1 / e + 0.02, "reconstruction_loss": 2.0 / e + shift})


def _drawn():
    return {k: Drawn(_images(100), torch.arange(100) % 10, torch.arange(100) % 10) for k in ("random", "gaussian", "per_class")}


def _paths():
    t = np.linspace(0, 1, 9)
    content = pd.DataFrame({"t": t, "agreement": 1 - 0.3 * np.sin(np.pi * t)})
    classes = pd.DataFrame({"t": t, "class a": 1 - t, "class b": t, "another digit": 0.1 * np.sin(np.pi * t)})
    return content, classes


def _encoder_history():
    return pd.DataFrame({"phase": ["regression"] * 60 + ["fine-tuning"] * 10,
                         "class_code_error": np.geomspace(1, 1e-3, 70), "content_code_error": np.geomspace(1, 0.2, 70),
                         "mse": [np.nan] * 60 + list(np.linspace(0.03, 0.02, 10))})


def _confusions(names=None):
    from glo_lib.core.data import ByClass

    confusion = np.eye(10, dtype=int) * 80 + 2
    parts = {"σ = 0": confusion, "σ = 1": confusion.T}
    return ByClass(parts, names) if names else parts


def _fashion_transfer():
    from glo_lib.core.data import CLASS_NAMES, ByClass

    names = CLASS_NAMES["fashion-mnist"]
    return figures.transfer_rows_figure(ByClass({f"image {j} (a {names[j]})": _images(11) for j in range(8)}, names))


_LOSSES = ("L1", "L2", "L1+L2", "perceptual")
_LOSS_PANELS = [("reconstruction_loss", "raw loss (own units)", True), ("mse", "MSE (yardstick)", True),
                ("l1", "L1 (yardstick)", False)]

#: every figure the notebooks show from ``charts`` and ``figures``, made from data shaped like the
#: full build's (the two whose labels follow the dataset also with Fashion-MNIST's class names);
#: SHOWN names the function behind each
def _probe_means():
    """Setting means as notebook 05 draws them: both regimes over sigma, the adversary at two sigmas."""
    from glo_lib.studies import content_probe as cp
    rows = []
    for regime, sigmas in ((cp.TABLE1, (0, 0.1, 0.3, 0.7, 1)), (cp.LEARNING, (0, 0.3, 1, 2))):
        for w in (0.0, 1.0):
            for s in (sigmas if w == 0 else (0, 0.3)):
                for k in range(3):
                    rows.append({"regime": regime, "adversary_weight": w, "noise_std": s, "seed": k,
                                 "probe_mlp": 0.1 + 0.1 * s + 0.01 * k, "noisy_probe_mlp": 0.1 + 0.01 * k,
                                 "class_blind_source": 0.25 - 0.05 * s - 0.05 * w + 0.01 * k,
                                 "mse": 0.006 + 0.01 * s + 0.001 * k, "transfer_accuracy": 0.88 + 0.05 * s + 0.01 * k,
                                 "diversity": 0.9 - 0.3 * s})
    return cp.setting_means(pd.DataFrame(rows), ["probe_mlp", "noisy_probe_mlp", "class_blind_source", "mse",
                                                 "transfer_accuracy", "diversity"])


REPORT_FIGURES = {
    "diagram": lambda: figures.model_diagram(GLOConfig(), 151000),
    "rows": lambda: figures.image_rows({"ground truth": _images(18),
                                        **{f"σ = {s:g}": _images(18) for s in (0, 0.1, 0.3, 0.7, 1)}}),
    "transfer": lambda: figures.transfer_rows_figure({f"held-out {j} (a {j})": _images(11) for j in range(8)}),
    "samplers": lambda: figures.samplers_figure(_drawn()),
    "decay": lambda: charts.measures_by_sigma(_measures(), ["content_norm", "mse", "transfer_accuracy"],
                                              hue="content_decay"),
    "leakage": lambda: charts.leakage_figure(_probe_means(), 0.53, 0.05, 0.09, 0.1),
    "frontier": lambda: charts.frontier_figure(_frontier()),
    "bits": lambda: charts.bits_figure(_bits()),
    "digits": lambda: figures.image_grid(_images(64), nrow=16),
    "reconstructions": lambda: figures.image_rows({"ground truth": _images(16), "reconstruction": _images(16)}),
    "curves": lambda: charts.training_curves(_history()),
    "loss curves": lambda: charts.training_curves({n: _history(shift=k / 10) for k, n in enumerate(_LOSSES)},
                                                  _LOSS_PANELS, hue_title="loss", figsize=(13, 3.6)),
    "noise curves": lambda: charts.log_training_curves({f"σ = {s:g}": _history(shift=s) for s in (0, 0.1, 0.3, 0.7, 1)}),
    "evolution": lambda: figures.image_rows({**{f"epoch {e}": _images(6) for e in (1, 5, 10, 25)},
                                             "epoch 50 (final)": _images(6)}),
    "judged": lambda: charts.judged_classes_figure(_drawn()),
    "content paths": lambda: figures.path_rows_figure({f"class {k}: image {k} to {k + 10}": _images(11) for k in range(4)}),
    "class paths": lambda: figures.image_rows({f"image {i}: {i % 10} to {(i + 3) % 10}": _images(9) for i in (12, 40, 7, 33)}),
    "path agreement": lambda: charts.path_agreement_figure(*_paths()),
    "noisy": lambda: figures.image_rows({"noise-free": _images(8), **{f"noise {s:g}": _images(8) for s in (0.0, 0.5, 1.0, 2.0)}}),
    "encoder history": lambda: charts.encoder_history_figure(_encoder_history()),
    "encoder rows": lambda: figures.image_rows({f"{n}: {w}": _images(10) for n in ("training", "held-out")
                                                for w in ("real", "regressed", "fine-tuned")}),
    "fashion transfer": _fashion_transfer,
}

#: the function of charts or figures behind each of REPORT_FIGURES
SHOWN = {"diagram": "model_diagram", "rows": "image_rows", "transfer": "transfer_rows_figure",
         "samplers": "samplers_figure", "decay": "measures_by_sigma", "leakage": "leakage_figure",
         "frontier": "frontier_figure", "bits": "bits_figure", "digits": "image_grid",
         "reconstructions": "image_rows", "curves": "training_curves", "loss curves": "training_curves",
         "noise curves": "log_training_curves", "evolution": "image_rows", "judged": "judged_classes_figure",
         "content paths": "path_rows_figure", "class paths": "image_rows", "path agreement": "path_agreement_figure",
         "noisy": "image_rows", "encoder history": "encoder_history_figure", "encoder rows": "image_rows",
         "fashion transfer": "transfer_rows_figure"}


def test_report_figures_print_with_fonts_of_at_least_8_pt():
    from figure_fonts import smallest_font_pt
    from glo_lib.reporting.display import MIN_FONT_PT

    small = {name: round(smallest_font_pt(fig), 2) for name, fig in _report_figures().items()}
    assert all(v >= MIN_FONT_PT for v in small.values()), small


def test_report_charts_label_their_axes():
    for name, fig in _report_figures().items():
        for ax in fig.axes:
            if ax.lines or ax.collections:  # a chart, not a grid of images
                assert ax.get_xlabel() and ax.get_ylabel(), (name, ax)


