"""`python -m core seq <task>`: the Sequence lab's four tasks from the command line.

    seq seasonal  [--dataset airline | --csv FILE] [--mode course|default] [--split seed|last12|last24]
    seq multistep [--dataset pair|airline | --csv FILE] [--iterations N] [--n-in N] [--n-out N]
    seq updown    [--dataset SP500|NASDAQ | --csv FILE] [--preset issue|stated]
    seq shapes    [--tasks running_sum,count_up,echo,reverse]

Each prints one JSON object (the task's summary: the model's score as a mean over `--seeds` seeds
beside every baseline on the same points). Models come from the shared caches unless `--no-cache`.
"""

from __future__ import annotations

import sys

TASKS = ("seasonal", "multistep", "updown", "shapes")


def add_arguments(parser) -> None:
    parser.add_argument("task", choices=TASKS, help="which Sequence lab task to run")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", help="embedded data: airline (seasonal), pair|airline (multistep), SP500|NASDAQ")
    source.add_argument("--csv", metavar="FILE", help="a CSV file (any dialect the Data page reads)")
    parser.add_argument("--column", default="", help="column to model (default: the task's own)")
    parser.add_argument("--mode", choices=("course", "default"), default="default", help="seasonal: settings")
    parser.add_argument("--split", choices=("seed", "last12", "last24"), default="seed", help="seasonal: test points")
    parser.add_argument(
        "--scaling", choices=("series", "train"), help="seasonal course mode: series (the notes) or train"
    )
    parser.add_argument("--preset", choices=("issue", "stated"), default="stated", help="updown: issue = 10 returns")
    parser.add_argument("--cell", help="rnn | lstm | gru (seasonal also conv1d); default: the task's own")
    parser.add_argument("--seeds", type=int, default=3, help="seeds (default: 3; shapes: 1)")
    parser.add_argument("--seed", type=int, default=7, help="first seed (default: 7)")
    parser.add_argument("--epochs", type=int, help="epochs (seasonal, updown, shapes)")
    parser.add_argument("--iterations", type=int, help="multistep: gradient steps")
    parser.add_argument("--n-in", type=int, dest="n_in", help="multistep: input steps")
    parser.add_argument("--n-out", type=int, dest="n_out", help="multistep: output steps")
    parser.add_argument("--tasks", help="shapes: comma-separated subset of running_sum,count_up,echo,reverse")
    parser.add_argument("--no-cache", action="store_true", help="train every model even if the cache holds it")
    parser.add_argument("--progress", action="store_true", help="print one progress line per epoch on stderr")


def _progress_line(info) -> None:
    sys.stderr.write(f"{info.stage} · epoch {info.epoch} of {info.epochs}\n")


def _changes(args, *names: str) -> dict:
    """The given options among `names` (None = the config's own default)."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _csv(args):
    from core.prices import read_prices

    return read_prices(args.csv, name=f"upload: {args.csv}")


def run(args) -> dict:
    common = dict(seeds=args.seeds, report=_progress_line if args.progress else None, use_cache=not args.no_cache)
    return {"seasonal": _seasonal, "multistep": _multistep, "updown": _updown, "shapes": _shapes}[args.task](
        args, common
    )


def _seasonal(args, common) -> dict:
    from core import seasonal as sea

    data = _csv(args) if args.csv else None
    if args.dataset not in (None, "airline"):
        raise ValueError("seq seasonal: --dataset must be airline (or use --csv FILE).")
    values = dict(split=args.split, seed=args.seed, column=args.column) | _changes(args, "epochs", "scaling")
    maker = sea.SeasonalConfig.course if args.mode == "course" else sea.SeasonalConfig.default
    config = maker(args.cell, **values) if args.cell else maker(**values)
    return sea.seasonal_summary(sea.run_seasonal(config, data, **common))


def _multistep(args, common) -> dict:
    from core import multistep as ms

    airline = args.dataset == "airline"
    data = _csv(args) if args.csv else ms.airline_data() if airline else ms.pair_data()
    if args.dataset not in (None, "pair", "airline"):
        raise ValueError("seq multistep: --dataset must be pair or airline (or use --csv FILE).")
    values = dict(seed=args.seed) | _changes(args, "iterations", "n_in", "n_out", "cell")
    values |= {"columns": (args.column,)} if args.column else {}
    config = ms.MultistepConfig.airline(**values) if airline else ms.MultistepConfig.course(**values)
    return ms.multistep_summary(ms.run_multistep(config, data, **common))


def _updown(args, common) -> dict:
    from core import updown as ud
    from core.datasets import load_dataset

    data = _csv(args) if args.csv else load_dataset(args.dataset or "SP500")
    values = dict(seed=args.seed, column=args.column or "close") | _changes(args, "epochs", "cell")
    config = ud.UpDownConfig.preset(args.preset, **values)
    return ud.updown_summary(ud.run_updown(config, data, **common))


def _shapes(args, common) -> dict:
    from core import shapes as sh

    tasks = tuple(t.strip() for t in args.tasks.split(",")) if args.tasks else sh.TASKS
    configs = sh.task_configs(cell=args.cell or "lstm", seed=args.seed, tasks=tasks, **_changes(args, "epochs"))
    common["seeds"] = args.seeds if args.seeds != 3 else 1  # one seed unless asked: four tiny tasks
    return sh.shapes_summary(sh.run_shape_tasks(configs, **common))
