"""glo_lib: Generative Latent Optimization with class/content codes on MNIST."""
__version__ = "0.1.0"

from .config import GLOConfig, table1  # noqa: E402
from .data import Digits, load_digits  # noqa: E402
from .losses import get_loss  # noqa: E402
from .model import GLOModel  # noqa: E402
from .runs import load_run, save_run, train_or_load  # noqa: E402
from .seeding import set_seed  # noqa: E402
from .train import Run, train  # noqa: E402

__all__ = ["GLOConfig", "table1", "Digits", "load_digits", "get_loss", "GLOModel",
           "load_run", "save_run", "train_or_load", "set_seed", "Run", "train", "__version__"]
