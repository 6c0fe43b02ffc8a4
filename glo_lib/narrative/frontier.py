"""The frontier's words (notebook 02): which families make the frontier, the rule for the defaults
in words, the information bound, and the captions.
"""
from __future__ import annotations

import pandas as pd

from ..core.config import GLOConfig
from ..prose import listing, plural
from ..studies.frontier import COLLAPSED_DIVERSITY, TARGET_MSE, best_within, choose_default, crossing_sigma


#: the generators issue's other target: at studies.frontier.TARGET_MSE, at least this class-transfer
#: accuracy (the course generator's level at sigma 0.3)
TARGET_TRANSFER = 0.90

def _family(generator: str, code_init: str) -> str:
    """"the conv generator (normal init)": a family as this module's sentences name it."""
    return f"the {generator} generator ({code_init} init)"


def frontier_sentence(table: pd.DataFrame) -> str:
    """Which families make the frontier, and how many points are crossed out as collapsed (whether
    any setting reaches the pushed target is the adversarial content probe's checked claim, over
    every table)."""
    collapsed = table[table["collapsed"]]
    kept = table[~table["collapsed"]]  # a collapsed point reaches no target: it is no result
    front = kept[kept["non_dominated"]]
    families = listing([_family(g, i) for g, i in sorted({(g, i) for g, i in zip(front["generator"], front["code_init"])})])
    said = (f"The non-dominated points (ringed) are those of {families}." if families else
            "No point is left on the frontier: every swept setting collapsed.")
    if not collapsed.empty and families:
        one = len(collapsed) == 1
        said += (f" Of the {len(table)} points, {len(collapsed)} collapse{'s' if one else ''} (crossed: within-class "
                 f"diversity below {COLLAPSED_DIVERSITY:g}) and {'is' if one else 'are'} kept off the frontier: a class "
                 f"drawn as one mean digit is easy to read, so {'its' if one else 'their'} class transfer says nothing "
                 "about disentanglement.")
    return said


def bits_sentence(bits: pd.DataFrame, family: tuple[str, str]) -> str:
    """Where the information bound of one family crosses log2(n), and what that means."""
    fam = bits[(bits["generator"] == family[0]) & (bits["code_init"] == family[1])].sort_values("noise_std")
    needed, n = fam["bits_needed"].iloc[0], int(fam["n_samples"].iloc[0])
    cross = crossing_sigma(fam)
    if cross is None:
        return (f"For {_family(*family)}, at every swept $\\sigma$ a content code can still carry more than the "
                f"{needed:.0f} bits needed to tell the {n} training images apart: the noise alone does not stop it "
                "from naming each image.")
    return (f"For {_family(*family)}, from $\\sigma$ = {cross:g} on a content code can carry fewer than the "
            f"{needed:.0f} bits needed to tell the {n} training images apart: past that point it cannot name each "
            "image, and the generator has to take what the images of a class share from the class code.")


def default_sentence(table: pd.DataFrame, cfg: GLOConfig) -> str:
    """What the rule picks, and whether it is the default this build ran with."""
    if not (table["noise_std"] == cfg.noise_std).any():
        return f"$\\sigma$ = {cfg.noise_std:g} was not swept, so the rule for the defaults cannot be applied here."
    pick = choose_default(table, cfg.noise_std)
    if pick is None:
        return (f"At $\\sigma$ = {cfg.noise_std:g} no swept family reconstructs to an MSE of {TARGET_MSE} or "
                f"less, so the rule picks none; the default stays {_family(cfg.generator, cfg.code_init)}.")
    own = table[(table["generator"] == cfg.generator) & (table["code_init"] == cfg.code_init)
                & (table["noise_std"] == cfg.noise_std)]
    same = pick["generator"] == cfg.generator and pick["code_init"] == cfg.code_init
    met = (not own.empty and own["mse"].iloc[0] <= TARGET_MSE and own["transfer"].iloc[0] >= TARGET_TRANSFER)
    verdict = ("It is this build's default" if same else
               f"This build's default, {_family(cfg.generator, cfg.code_init)}, is not the one it picks")
    target = (f"; it meets both targets (MSE at most {TARGET_MSE}, class transfer at least {TARGET_TRANSFER:.0%})."
              if met else f"; it misses a target (MSE at most {TARGET_MSE}, class transfer at least "
                          f"{TARGET_TRANSFER:.0%}).")
    return (f"At $\\sigma$ = {cfg.noise_std:g} the rule picks {_family(pick['generator'], pick['code_init'])} "
            f"with an MSE of about {pick['mse']:.3f} and class transfer of about {pick['transfer']:.0%}. " + verdict + target)


def sizes_sentence(rows: pd.DataFrame, class_dim: int) -> str:
    """How the class-code length moves MSE and class transfer at the Table 1 sigma."""
    by = rows.groupby("class_dim")[["mse", "transfer_accuracy"]].mean()
    parts = [f"{d} ({by.loc[d, 'mse']:.4f}, {by.loc[d, 'transfer_accuracy']:.1%})" for d in by.index]
    return (f"Class-code length (MSE, class transfer; means over seeds): {', '.join(parts)}. "
            f"This build uses {class_dim}.")


def frontier_caption(table: pd.DataFrame) -> str:
    """Caption of the frontier figure and table."""
    seeds = int(table["seeds"].min())
    return (f"Reconstruction MSE against class-transfer accuracy for each generator and code initialisation, "
            f"one point per $\\sigma$ (written beside it), Table 1 settings otherwise; means over "
            f"{plural(seeds, 'seed')}, bars one standard deviation. Ringed: non-dominated points "
            f"(no other point has both a lower MSE and a higher transfer); crossed: collapsed points.")


BITS_CAPTION = ("Bits a content code of $d$ dimensions can carry through the training noise, "
                "$\\frac{d}{2}\\log_2(1 + v/\\sigma^2)$ with $v$ the variance of the learned codes, against "
                "$\\sigma$ (unbounded at $\\sigma$ = 0), and the $\\log_2 n$ bits needed to tell the $n$ training "
                "images apart (dashed).")


def bits_paragraph(bits: pd.DataFrame, cfg: GLOConfig) -> str:
    """The bound for this build's family and, when swept, for the same generator with the other start."""
    other = ("lord" if cfg.code_init == "normal" else "normal")
    families = [(cfg.generator, cfg.code_init), (cfg.generator, other)]
    swept = {(g, i) for g, i in zip(bits["generator"], bits["code_init"])}
    return " ".join(bits_sentence(bits, f) for f in families if f in swept)
