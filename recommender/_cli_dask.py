"""``recommender rank --engine dask``: the command-line side of :mod:`recommender.ranking._dask`.

Exit codes as for the local engine, plus 9: the cluster could not be reached or lost the run
(no output is left that looks complete).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import typer

EXIT_CLUSTER = 9


def rank_on_dask(
    inputs: list[str], output: Path, *, map_dir: Path | None, model: str | None, lang: str, top: int, shortlist: int,
    partition_size: int, scheduler: str | None, output_format: str | None, workers: int, recycle_above: int | None,
    errors: Callable[[], AbstractContextManager[None]],
) -> None:
    """Rank on a Dask cluster and print what the local engine prints; library errors go through ``errors``."""
    from . import cli

    try:
        from .ranking._dask import rank_dask
    except ImportError as exc:
        raise cli._fail(f"the dask engine needs the 'dask' extra (pip install 'recommender[dask]'): {exc}", 2) from None
    if output_format not in (None, "parquet", "csv"):
        raise typer.BadParameter("must be parquet or csv", param_hint="--format")
    with errors():
        try:
            report = rank_dask(
                inputs, output, map_dir=map_dir, model=model, lang=lang, top=top, shortlist_k=shortlist,
                partition_size=partition_size, output_format=output_format, scheduler=scheduler,
                n_workers=workers or None, progress=True,
                **({} if recycle_above is None else {"recycle_above": recycle_above}),
            )
        except (OSError, TimeoutError, RuntimeError) as exc:
            raise cli._fail(f"分布式排序失败，未写出结果 / the Dask run failed, no output written: {type(exc).__name__}: {exc}", EXIT_CLUSTER) from None
        except Exception as exc:
            from distributed.scheduler import KilledWorker

            if isinstance(exc, KilledWorker):
                raise cli._fail(f"分布式排序失败（工作进程反复退出），未写出结果 / the Dask run failed: workers died: {exc}", EXIT_CLUSTER) from None
            raise
    cli._report(report, output, lang, top)
    typer.echo(f"{report.parts} 个分区文件 / parts, _SUMMARY.json → {output}", err=False)
    if report.recycled:
        typer.echo(f"按内存回收工作进程 {report.recycled} 次 / workers recycled for their memory: {report.recycled}", err=False)
    sys.stdout.flush()
