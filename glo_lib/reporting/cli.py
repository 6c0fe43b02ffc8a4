"""``glo-report build``: run the notebooks and write the PDF report."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

import yaml

from .build import BuildError, build

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="glo-report", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="execute the notebooks with papermill and build the PDF")
    b.add_argument("--params", type=Path, help="YAML or JSON file of notebook parameters")
    b.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                   help="one parameter; VALUE is read as YAML (0.3, true, [0, 0.3])")
    b.add_argument("--smoke", action="store_true", help="tiny data and epochs: a check in seconds")
    b.add_argument("--root", type=Path, default=None, help="project folder (default: found from cwd)")
    b.add_argument("--out", type=Path, default=None, help="build folder (default: report/build)")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    params = {}
    if args.params:
        try:
            params.update(yaml.safe_load(args.params.read_text()) or {})
        except (OSError, yaml.YAMLError) as err:
            print(f"glo-report: --params {args.params}: {err}", file=sys.stderr)
            return 2
    for key, value in args.parameter:
        params[key] = yaml.safe_load(value)
    try:
        pdf = build(params, smoke=args.smoke, root=args.root, out_dir=args.out)
    except BuildError as err:
        print(f"glo-report: {err}", file=sys.stderr)
        return 1
    print(f"wrote {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
