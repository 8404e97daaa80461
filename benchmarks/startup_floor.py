"""Dagster's own start-up on this machine: a project of one asset that returns 1, run the
way ``p3dn run`` runs its jobs (``DagsterInstance.get()`` on the ``DAGSTER_HOME`` it is
given, then the job in this process). bench_pipeline.py times it from process start to its
first STEP_START, as it times the pipeline's start-up: what no Dagster project can start
faster than here, the part of the start-up target the project's own code does not decide.

Python, ``import dagster`` and Dagster's SQLite instance storage (SQLAlchemy and Alembic),
nothing of p3dn_pipeline; the instance files are Dagster's as shipped."""

from dagster import DagsterInstance, Definitions, asset


@asset
def one() -> int:
    return 1


def main() -> int:
    job = Definitions(assets=[one]).resolve_implicit_global_asset_job_def()
    with DagsterInstance.get() as instance:
        return 0 if job.execute_in_process(instance=instance).success else 1


if __name__ == "__main__":
    raise SystemExit(main())
