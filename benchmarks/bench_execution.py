"""Benchmark: notebook 05's service levels, 7-24-72 rule and task counts on DuckDB and on Spark.

Prepares the embedded demo period (2025Q3), saves it as a run's Parquet files, and runs what notebook 05
computes from the tickets and tasks as the notebook does (the SLA tables by priority, department, month and
category with the worst categories; the 7-24-72 rule; the task counts per owner, age and status) on each
engine in its own process: the engine's start, the seconds of each step, the queries it sends to the engine,
the Spark jobs they start, and the rows that come back to the driver (a table the step reads into the
notebook's process whole counts with all its rows).

    python benchmarks/bench_execution.py                       # DuckDB and Spark local[2]
    python benchmarks/bench_execution.py --master spark://127.0.0.1:7077
"""

from __future__ import annotations

from bench_kpis import compare, started, timed


def measure(engine_name: str, master: str, folder: str) -> dict:
    """Notebook 05's SLA, 7-24-72 and task work over the prepared tables in ``folder`` on one engine."""
    from crmreport.analyses.execution import clock, followup, sla, tasks
    from crmreport.measures import contacts, replies, slaclock, taskscope
    from crmreport.settings import load_params

    params = load_params("2025Q3", demo=True)
    settings, until = params.execution, clock.observed_until(params.as_of)
    data, context, figures, sent = started(engine_name, master, folder, [contacts, replies, slaclock, taskscope])

    def sla_step() -> None:
        per_ticket = sla.ticket_sla(data, params.window, until, settings)
        for by in ("priority", "department", "month", "category"):
            sla.sla_compliance(per_ticket, settings, by, intervals=by in ("priority", "category"))
        sla.worst_categories(per_ticket, settings)
        held["per_ticket"] = per_ticket

    def task_step() -> None:
        scope = tasks.tasks_in_scope(data, params.window, until)
        tasks.task_execution(scope), tasks.overdue_ages(scope, settings.overdue_buckets), tasks.task_board(scope)

    held: dict = {}
    steps = [("SLA tables", sla_step),
             ("7-24-72 rule", lambda: followup.rules_of(data, params.window, until, held["per_ticket"], settings)),
             ("task counts", task_step)]
    return timed(steps, context, sent, figures)


def main() -> None:
    compare(__file__, __doc__, measure)


if __name__ == "__main__":
    main()
