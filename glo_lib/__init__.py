"""glo_lib: Generative Latent Optimization with class/content codes on MNIST.

Sub-packages, in pipeline order (each imports only from those before it):
leaves (``paths``, ``version``, ``atomic``, ``checks``, ``seeding``, ``prose``, ``results``),
``core``, ``measures``, ``studies``, ``reporting``.
"""
from .core.config import GLOConfig, table1
from .core.data import Digits, load_digits
from .core.losses import get_loss, make_loss
from .core.model import GLOModel
from .core.runs import load_run, save_run, train_or_load
from .core.train import Run, train
from .seeding import set_seed
from .version import __version__

__all__ = ["GLOConfig", "table1", "Digits", "load_digits", "get_loss", "make_loss", "GLOModel",
           "load_run", "save_run", "train_or_load", "set_seed", "Run", "train", "__version__"]
