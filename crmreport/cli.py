"""The command line: ``crmreport run``, ``crmreport validate`` and ``crmreport demo-data``.

Expected failures (bad parameters, bad data, a failing notebook) print one clear message and
exit non-zero; tracebacks go to the log file only.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .core.errors import CrmReportError, NotebookFailedError, ParamsError
from .core.log import configure

log = logging.getLogger("crmreport")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmreport", description="CRM programme reports, per period.")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail on the console")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the period's notebooks and render their reports")
    run.add_argument("--period", required=True, help="period label (2025Q3), a range run in order (2025Q1..2025Q4), "
                                                     "or previous-quarter / previous-month (from today's date)")
    run.add_argument("--params", help="params file (default: params/<period>.yaml)")
    run.add_argument("--data", help="folder, .xlsx workbook or SQLAlchemy URL (default: params `data`, or the "
                                    "embedded demo data)")
    run.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks (01_profiling or profiling)")
    run.add_argument("--out", type=Path, help="reports folder (default: reports/)")
    run.add_argument("--format", help="comma-separated formats: html,pdf")
    run.add_argument("--language", choices=["en", "zh"], help="report language (default: params `language`)")

    validate = commands.add_parser("validate", help="check the period's data against the contract, render nothing")
    validate.add_argument("--period", required=True)
    validate.add_argument("--params")
    validate.add_argument("--data")

    demo = commands.add_parser("demo-data", help="write the demo tables with their planted ground truth")
    demo.add_argument("out", type=Path)
    demo.add_argument("--customers", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--format", choices=["csv", "parquet"], default="csv")
    return parser


def _absolute(data: str | None) -> str | None:
    if data and "://" not in data:
        return str(Path(data).expanduser().resolve())
    return data


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
                            out_dir=args.out, formats=formats, language=args.language)
        for line in result_summary(result):
            print(line)
        failed += [f"{period}/{nb.name}" for nb in result.failed]
    if failed:
        raise NotebookFailedError(f"{len(failed)} notebook(s) failed: {', '.join(failed)}; see manifest.json "
                                  "and the HTML of each in the report folder")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .ingest.dataset import prepare_dataset
    from .settings import load_params

    params = load_params(args.period, args.params, overrides={"data": _absolute(args.data)})
    dataset = prepare_dataset(params)
    print(dataset.accounting_frame().to_string(index=False))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import write_demo_data

    write_demo_data(args.out, n_customers=args.customers, seed=args.seed, file_format=args.format)
    return 0


def _log_file(args: argparse.Namespace) -> Path | None:
    if args.command == "demo-data":
        return None
    from .settings import find_project_root

    base = args.out if getattr(args, "out", None) else (find_project_root() or Path.cwd()) / "reports"
    period = args.period.replace("..", "-to-")
    return base / "logs" / f"{args.command}-{period}-{time.strftime('%Y%m%d-%H%M%S')}.log"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crmreport`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    log_file = _log_file(args)
    configure(log_file, args.verbose)
    handlers = {"run": _run, "validate": _validate, "demo-data": _demo}
    try:
        return handlers[args.command](args)
    except CrmReportError as exc:
        log.debug("failure", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        if log_file is not None:
            print(f"(details in {log_file})", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: no report was replaced", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected bug: one line for the user, the traceback for the log
        log.debug("unexpected failure", exc_info=True)
        print(f"unexpected error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        print(f"this is a bug in crmreport; the traceback is in {log_file}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
