"""glo_lib.measures.leakage on constructed generators and codes whose answers are known."""
import numpy as np
import pytest
import torch

from glo_lib.measures import leakage

K = 10


class OneHotJudge:
    """Reads the class an image was drawn as from its first row (argmax of its first ten pixels)."""

    def predict(self, images):
        return images[:, 0, 0, :K].argmax(1)


class Generator:
    """A GLOModel stand-in: content code i is the one-hot of its digit; ``uses`` says what the
    image shows: "content" (ignores the class code), "class" (ignores the content code) or
    "class+1" (ignores the content and draws every class as the next one)."""

    def __init__(self, labels, uses):
        self.content = torch.nn.functional.one_hot(labels, K).float()
        self.classes = torch.eye(K)
        self.uses = uses

    def eval(self):
        return self

    def _draw(self, class_codes, content):
        images = torch.zeros(len(content), 1, 28, 28)
        shown = {"content": content, "class": class_codes, "class+1": class_codes.roll(1, dims=1)}[self.uses]
        images[:, 0, 0, :K] = shown + 1e-3 * torch.arange(K)  # ties (the mean class code) break towards 9
        return images

    def generate_from_ids(self, class_ids, content):
        return self._draw(self.classes[class_ids], content)

    def generate_from_codes(self, class_codes, content):
        return self._draw(class_codes, content)


LABELS = torch.arange(200) % K


def test_a_generator_that_ignores_the_class_code_misreads_every_transfer_as_its_source():
    model = Generator(LABELS, "content")
    out = leakage.transfer_misreads(model, OneHotJudge(), LABELS)
    assert out["misread_share"] == pytest.approx(0.9)  # only the transfer to its own class is read right
    assert out["misread_source_share"] == 1.0 and out["misread_source_chance"] == pytest.approx(0.1)
    blind = leakage.class_blind_calls(model, OneHotJudge(), LABELS)
    assert blind["class_blind_source"] == 1.0 and blind["class_blind_chance"] == pytest.approx(0.1)


def test_a_generator_that_ignores_the_content_code_never_misreads_a_transfer_as_its_source():
    model = Generator(LABELS, "class")
    out = leakage.transfer_misreads(model, OneHotJudge(), LABELS)
    assert out["misreads"] == 0 and np.isnan(out["misread_source_share"])
    wrong = leakage.transfer_misreads(Generator(LABELS, "class+1"), OneHotJudge(), LABELS)
    assert wrong["misread_share"] == 1.0  # every transfer misread, none because of its source:
    assert wrong["misread_source_share"] == pytest.approx(wrong["misread_source_chance"])  # the chance share
    blind = leakage.class_blind_calls(model, OneHotJudge(), LABELS)
    assert blind["class_blind_source"] == pytest.approx(blind["class_blind_chance"]) == pytest.approx(0.1)


def test_the_permutation_null_sits_near_chance_while_the_probe_reads_the_class():
    gen = torch.Generator().manual_seed(0)
    labels = torch.arange(300) % K
    codes = torch.nn.functional.one_hot(labels, K).float() + 0.3 * torch.randn(300, K, generator=gen)
    null = leakage.permutation_null(codes, labels, permutations=3)
    assert abs(null["permutation_null_logreg"] - 0.1) < 0.05 and abs(null["permutation_null_mlp"] - 0.1) < 0.05
    assert leakage.noisy_code_probe(SimpleModel(codes), labels, sigma=0.0)["probe_logreg"] > 0.9


def test_noise_hides_the_class_from_the_probe_on_the_noisy_codes():
    labels = torch.arange(300) % K
    codes = torch.nn.functional.one_hot(labels, K).float()
    out = leakage.noisy_code_probe(SimpleModel(codes), labels, sigma=5.0)
    assert out["probe_logreg"] > 0.95 and out["noisy_probe_logreg"] < 0.3 and out["sigma"] == 5.0
    noisy_only = leakage.noisy_code_probe(SimpleModel(codes), labels, sigma=5.0, clean=False)
    assert "probe_logreg" not in noisy_only and noisy_only["noisy_probe_logreg"] == out["noisy_probe_logreg"]


def test_style_r2_finds_a_code_made_of_style_and_not_one_of_noise(tiny_digits):
    from glo_lib.measures.style import filled, style_attributes
    images = tiny_digits.heldout_images[:200]
    attributes = style_attributes(images)
    style_code = torch.from_numpy(filled(attributes)) @ torch.randn(9, 16, generator=torch.Generator().manual_seed(1)).double()
    noise_code = torch.randn(200, 16, generator=torch.Generator().manual_seed(2))
    assert leakage.style_r2(style_code, attributes)["code_r2"] > 0.95
    assert leakage.style_r2(noise_code, attributes)["code_r2"] < 0.1


def test_style_kept_is_one_when_transfers_keep_their_source_and_zero_for_prototypes(tiny_digits):
    images = tiny_digits.heldout_images[:40]

    class Copy(Generator):  # every transfer is its source digit: all style kept
        def generate_from_ids(self, class_ids, content):
            return images.repeat_interleave(K, dim=0)

    class Prototype(Generator):  # every transfer is the same digit: none kept
        def generate_from_ids(self, class_ids, content):
            return images[:1].expand(len(class_ids), -1, -1, -1)

    labels = torch.arange(40) % K
    assert leakage.style_kept(Copy(labels, "content"), images)["style_kept"] == pytest.approx(1.0)
    assert leakage.style_kept(Prototype(labels, "content"), images)["style_kept"] == 0.0


class SimpleModel:
    def __init__(self, content):
        self.content, self.noise_std = content, 0.0
