"""The command line: ``crmreport init``, ``run``, ``validate`` and ``demo-data``.

Expected failures (bad parameters, bad data, a failing notebook) print one clear message and
exit non-zero; tracebacks go to the log only. A run's log is ``run.log`` in its report folder; a
command that fails before a report exists keeps its log as ``reports/logs/<command>-<period>.log``
(one file per command and period, replaced by the next failure).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .core.errors import CrmReportError, NotebookFailedError, ParamsError
from .core.log import CommandLog
from .core.version import __version__

log = logging.getLogger("crmreport")
DATA_HELP = ("folder of CSV/Parquet/XLSX files, one .xlsx workbook or a SQLAlchemy URL "
             "(default: `data:` in params)")
PERIOD_HELP = "period label, e.g. 2025Q3 (reads params/<period>.yaml)"
DEMO_HELP = "use the demo data that ships with crmreport (reports say so on their cover and in manifest.json)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmreport", description="CRM programme reports, per period.")
    parser.add_argument("--version", action="version", version=f"crmreport {__version__}",
                        help="print the version and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages on the console")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="init, run, validate or demo-data; `crmreport COMMAND -h` for its options")

    init = commands.add_parser("init", help="write a starter project (params, notebooks, reports/) into a folder")
    init.add_argument("folder", type=Path, metavar="DIR", help="project folder to create (or an empty one)")
    init.add_argument("--period", default="2025Q3", help="period of the example params file (default: 2025Q3)")

    run = commands.add_parser("run", help="run the period's notebooks and render their reports")
    _source_options(run, PERIOD_HELP + "; a range run in order (2025Q1..2025Q4), or previous-quarter / "
                    "previous-month (from today's date)")
    run.add_argument("--only", nargs="+", action="extend", metavar="NAME",
                     help="run only these notebooks (01_profiling or profiling); may be given several times")
    run.add_argument("--out", type=Path, metavar="DIR", help="reports folder (default: reports/ of the project)")
    run.add_argument("--format", help="comma-separated formats: html,pdf (default: params `formats`)")
    run.add_argument("--language", choices=["en", "zh"], help="report language (default: params `language`)")
    run.add_argument("--workers", type=int, metavar="N",
                     help="notebooks run at the same time (default: params `workers`, else min(2, CPU count))")
    run.add_argument("--engine", choices=["duckdb", "spark"],
                     help="where the per-customer measures run (default: params `engine`, else duckdb)")

    validate = commands.add_parser("validate", help="check the period's data against the contract, render nothing")
    _source_options(validate)

    demo = commands.add_parser("demo-data", help="write the demo tables with their planted ground truth")
    demo.add_argument("out", type=Path, metavar="OUT", help="folder to write the tables and ground_truth.json into")
    demo.add_argument("--customers", type=int, default=5000, help="number of customers (default: 5000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives the same data (default: 7)")
    demo.add_argument("--format", choices=["csv", "parquet"], default="csv", help="file format (default: csv)")
    return parser


def _source_options(command: argparse.ArgumentParser, period_help: str = PERIOD_HELP) -> None:
    command.add_argument("--period", required=True, help=period_help)
    command.add_argument("--params", metavar="FILE", help="params file instead of params/<period>.yaml")
    source = command.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="SRC", help=DATA_HELP)
    source.add_argument("--demo", action="store_true", help=DEMO_HELP)


def _absolute(data: str | None) -> str | None:
    if data and "://" not in data:
        return str(Path(data).expanduser().resolve())
    return data


def _init(args: argparse.Namespace) -> int:
    from .run.starter import write_starter

    written = write_starter(args.folder, args.period)
    notebooks = sum(path.suffix == ".ipynb" for path in written)
    print(f"wrote a starter project into {args.folder}/: params/defaults.yaml, params/{args.period}.yaml, "
          f"{notebooks} notebooks in notebooks/, reports/README.md")
    print("next: see a demo report, then set `data:` in params/"
          f"{args.period}.yaml to your exports and run without --demo:")
    print(f"  cd {args.folder} && crmreport run --period {args.period} --demo")
    return 0


def _run(args: argparse.Namespace) -> int:
    from .run.runner import result_summary, run_period
    from .settings.period import period_labels

    formats = [f.strip() for f in args.format.split(",")] if args.format else None
    try:
        periods = period_labels(args.period)
    except ValueError as exc:
        raise ParamsError(str(exc)) from None
    failed = []
    for period in periods:  # in order, so each report finds the previous one ("since last period")
        result = run_period(period, params_file=args.params, data=_absolute(args.data), only=args.only,
                            out_dir=args.out, formats=formats, language=args.language, demo=args.demo,
                            workers=args.workers, engine=args.engine)
        for line in result_summary(result):
            print(line)
        failed += [f"{period}/{nb.name}" for nb in result.failed]
    if failed:
        raise NotebookFailedError(f"{len(failed)} notebook(s) failed: {', '.join(failed)}; see manifest.json "
                                  "and the HTML of each in the report folder")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .ingest.dataset import prepare_dataset
    from .run.summary import accounting_table, verdict
    from .settings import load_params

    params = load_params(args.period, args.params, overrides={"data": _absolute(args.data)}, demo=args.demo)
    dataset = prepare_dataset(params)
    print(f"data: {dataset.source}")
    print(accounting_table(dataset))
    print(verdict(dataset))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import write_demo_data

    write_demo_data(args.out, n_customers=args.customers, seed=args.seed, file_format=args.format)
    print(f"wrote the demo tables and ground_truth.json into {args.out}")
    return 0


def _failure_log(args: argparse.Namespace) -> Path | None:
    """Where a failed ``run`` or ``validate`` keeps its log: one file per command and period."""
    if args.command not in ("run", "validate"):
        return None
    from .settings import find_project_root
    from .settings.period import log_label

    base = args.out if getattr(args, "out", None) else (find_project_root() or Path.cwd()) / "reports"
    folder = base.resolve() / "logs"
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():  # a file on the way: no log can be kept there
        return None
    return folder / f"{args.command}-{log_label(args.period)}.log"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crmreport`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    handlers = {"init": _init, "run": _run, "validate": _validate, "demo-data": _demo}
    command_log = CommandLog(args.verbose)
    code, keep = 0, None
    try:
        code = handlers[args.command](args)
    except CrmReportError as exc:
        log.debug("failure", exc_info=True)
        code = exc.exit_code
        if args.command == "validate":
            print(f"failed: {exc}")  # the verdict line
        else:
            print(f"error: {exc}", file=sys.stderr)
        if not isinstance(exc, NotebookFailedError | ParamsError):  # those need no log: a report exists / one line
            keep = _failure_log(args)
            if keep is not None:
                print(f"(details in {keep})", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted: no report was replaced", file=sys.stderr)
        code = 130
    except Exception as exc:  # an unexpected bug: one line for the user, the traceback for the log
        log.debug("unexpected failure", exc_info=True)
        keep = _failure_log(args)
        print(f"unexpected error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        where = keep if keep is not None else "the console output of the same command with -v"
        print(f"this is a bug in crmreport; the traceback is in {where}", file=sys.stderr)
        code = 3
    finally:
        command_log.close(keep)
    return code


if __name__ == "__main__":
    sys.exit(main())
