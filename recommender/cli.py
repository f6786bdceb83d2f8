"""The ``recommender`` command line.

Exit codes (the README's table): 0 success; 1 (``db status``) the database schema is not
current; 2 wrong usage (also a missing extra, a user, key or model that cannot be added or
promoted); 3 an input file is missing or unreadable; 4 the chain map is invalid; 5 an input
file holds bytes no accepted encoding decodes; 6 a bad profile (also JSON nested deeper than
:data:`MAX_JSON_DEPTH`); 7 a landing model or a training history is unusable (ModelError); 8 an
output file cannot be written (OutputFileError: a folder, a missing or read-only folder, a full
disk, or the input itself without ``--overwrite``); 9 (``--engine dask``) the Dask cluster could
not be reached or lost the run.

The landing model (``--model``): a name in the package's models folder (``demo``: trained on
the synthetic demo history), a ``.skops`` file or a model folder, or ``prior``. Without
``--model``, ``rank`` and ``score`` use the documented prior (:data:`DEFAULT_MODEL`, the
service's rule too), so the order follows the strategic score; every output names the model
it used, and a model trained on synthetic data says so. ``train`` builds a model from a history::

    recommender train seeds/examples/history.csv -o recommender/models/demo --synthetic
Errors go to standard error, one line per problem, without a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Annotated

import pandas as pd
import typer

from ._recommender import Recommender
from .chainmap._links import encode_links
from .chainmap._schema import load_map
from .exceptions import EncodingError, InputFileError, MapError, ModelError, OutputFileError, ProfileError
from .likelihood._modelstore import DEFAULT_MODEL, SYNTHETIC_LABEL
from .likelihood._tables import PRIOR_VERSION
from .ranking._rank import OUTPUT_COLUMNS, RANK_DEFAULTS, RankReport
from .scoring._explanation import LANGUAGES
from .tables._report import format_column_report

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Investment-targeting recommender: rank firms against industry-chain maps.")

EXIT_INPUT, EXIT_MAP, EXIT_ENCODING, EXIT_PROFILE, EXIT_MODEL, EXIT_OUTPUT = 3, 4, 5, 6, 7, 8
#: The deepest nesting of arrays and objects `recommender score` accepts (a profile is flat).
MAX_JSON_DEPTH = 20

MapOption = Annotated[Path | None, typer.Option("--map", help="Chain-map folder (default: the embedded Jiangmen map).")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of names and reasons: zh or en.")]
ModelOption = Annotated[str | None, typer.Option(
    "--model",
    help="Landing model: a name ('demo': trained on synthetic data), a .skops file or model folder, or 'prior'. "
         "Default: the prior (no model trained on the bureau's own outcomes).",
)]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=code)


#: Library errors → the message prefix and exit code; the first class that matches wins.
_EXITS: tuple[tuple[type[Exception], str, int], ...] = (
    (EncodingError, "编码错误 / encoding error: ", EXIT_ENCODING),
    (InputFileError, "输入文件错误 / input file error: ", EXIT_INPUT),
    (MapError, "产业链图谱无效 / ", EXIT_MAP),
    (ProfileError, "企业信息无效 / invalid profile: ", EXIT_PROFILE),
    (ModelError, "落地模型不可用 / landing model error: ", EXIT_MODEL),
    (OutputFileError, "输出文件无法写入 / cannot write the output: ", EXIT_OUTPUT),
)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into messages and exit codes (the only place that does)."""
    try:
        yield
    except tuple(kind for kind, _, _ in _EXITS) as exc:
        prefix, code = next((prefix, code) for kind, prefix, code in _EXITS if isinstance(exc, kind))
        raise _fail(f"{prefix}{exc}", code) from None


def _model_ref(model: str | None) -> str:
    """The model to use: as given, else :data:`~recommender.likelihood.DEFAULT_MODEL` (the prior)."""
    return model if model is not None else DEFAULT_MODEL


def _model_note(version: str, lang: str = "zh") -> str:
    """What an officer should know about the model beside its version: in Chinese and English, or
    for ``lang="en"`` in English only."""
    if version == PRIOR_VERSION:
        zh, en = "先验：无按本局实际结果训练的模型，按战略得分排序", "the prior: no model trained on real outcomes; ordered by the score"
    elif version.endswith(f"({SYNTHETIC_LABEL})"):
        zh, en = "合成数据训练，仅供演示", "trained on synthetic data, a demo"
    else:
        return ""
    return f"（{zh} / {en}）" if lang == "zh" else f" ({en})"


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"must be one of {', '.join(LANGUAGES)}", param_hint="--lang")


def _progress(total_hint: int | None) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total_hint, unit="行", desc="ranking", file=sys.stderr)
    return bar.update, bar.close


@app.command()
def rank(
    inputs: Annotated[list[str], typer.Argument(
        metavar="INPUT...",
        help="Candidate firms: CSV (UTF-8, BOM, GBK/GB18030), XLSX or Parquet; with --engine dask, CSV globs and Parquet datasets.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Ranked output: a .csv, .xlsx or .parquet file; a folder with --engine dask.")],
    map_dir: MapOption = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Print the N best firms (the file keeps every row).")] = RANK_DEFAULTS["top"],
    shortlist: Annotated[int, typer.Option("--shortlist", min=0, help="Pick K firms that together serve the most need.")] = 0,
    lang: LangOption = "zh",
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", min=1, help="Rows read per chunk.")] = RANK_DEFAULTS["chunk_rows"],
    workers: Annotated[int, typer.Option("--workers", min=0, help="Processes that score chunks (0: one per CPU).")] = 0,
    model: ModelOption = None,
    engine: Annotated[str, typer.Option("--engine", help="local (this machine's processes) or dask (a Dask cluster).")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a cluster on this machine).")] = None,
    partition_size: Annotated[int, typer.Option("--partition-size", min=1, help="Rows per Dask partition.")] = 100_000,
    output_format: Annotated[str | None, typer.Option("--format", help="Dask output parts: parquet (default) or csv.")] = None,
    recycle_above: Annotated[int | None, typer.Option(
        "--recycle-above", min=0, metavar="MIB",
        help="Dask: a worker whose memory after a task is above this many MiB is retired between tasks and started afresh "
             "by its nanny, bounding a worker's memory whatever the input size (default 768; 0: never).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Allow -o to be the input file itself (replaced once ranked).")] = False,
) -> None:
    """Rank files of candidate firms by priority (score × likelihood); every input row comes back, best first."""
    _check_lang(lang)
    if engine not in ("local", "dask"):
        raise typer.BadParameter("must be local or dask", param_hint="--engine")
    if engine == "dask":
        from ._cli_dask import rank_on_dask

        rank_on_dask(inputs, output, map_dir=map_dir, model=_model_ref(model), lang=lang, top=top, shortlist=shortlist,
                     partition_size=partition_size, scheduler=scheduler, output_format=output_format, workers=workers,
                     recycle_above=recycle_above, errors=_errors)
        return
    if len(inputs) != 1:
        raise typer.BadParameter("the local engine ranks one file; use --engine dask for several", param_hint="INPUT")
    input = Path(inputs[0])
    with _errors():
        recommender = Recommender(map_dir, model=_model_ref(model))
        update, close = _progress(None)
        try:
            report = recommender.rank_file(
                input, output, lang=lang, top=top, shortlist=shortlist, chunk_rows=chunk_rows,
                workers=workers or os.cpu_count() or 1, progress=update, overwrite=overwrite,
            )
        finally:
            close()
    _report(report, output, lang, top)


def _report(report: RankReport, output: Path, lang: str, top: int) -> None:
    zh = lang == "zh"
    typer.echo(
        f"已排序 {report.rows} 行（匹配到环节 {report.matched_rows} 行，问题行 {report.bad_rows} 行，非存续企业 {report.inactive_rows} 行，"
        f"非企业行 {report.not_firm_rows} 行，重复企业 {report.duplicate_rows} 行）→ {output}"
        if zh else f"ranked {report.rows} rows ({report.matched_rows} matched a link, {report.bad_rows} with problems, "
        f"{report.inactive_rows} not active, {report.not_firm_rows} not firms, {report.duplicate_rows} duplicates) → {output}"
    )
    if report.header_rows:
        header = "、".join(map(str, report.header_rows))
        typer.echo(f"表头：第 {header} 行" if zh else f"header: row {', '.join(map(str, report.header_rows))}")
    typer.echo(f"{'落地模型 / landing model' if zh else 'landing model'}: {report.model_version}{_model_note(report.model_version, lang)}")
    if top and len(report.top):
        typer.echo("\n".join(_top_lines(report.top, lang, report.top_bands)))
    if report.coverage is not None:
        typer.echo(report.coverage.summary(lang))
    typer.echo("\n".join(format_column_report(report.columns, lang)))


#: What the top list's last column says of a row in a later band (ranking's BAND_* 1, 2, 3).
_BAND_NOTES = {1: ("非存续企业", "not active"), 2: ("缺企业名称", "no firm name"), 3: ("非企业行", "not a firm")}


def _top_lines(top: pd.DataFrame, lang: str, bands: tuple[int, ...] = ()) -> list[str]:
    """The best rows as aligned lines under labels: rank, firm name, chain · link, action, score, likelihood,
    priority, and a note: the shortlist position, a copy of which input row, or why a row ranks in a later band."""
    from .tables._vendor import firm_name_column

    names = _output_columns(top)
    firm = firm_name_column(list(top.columns)[: -len(OUTPUT_COLUMNS)])
    zh = lang == "zh"
    labels = ("排名", "企业名称", "产业链 · 环节", "动作", "得分", "落地可能", "优先级", "备注") if zh else (
        "rank", "firm", "chain · link", "action", "score", "likelihood", "priority", "note")
    rows = []
    for k, (_, row) in enumerate(top.iterrows()):
        chain, link = row[names["chain"]] or "-", row[names["link"]] or "-"
        note = ""
        if pd.notna(row[names["shortlist"]]):
            note = f"短名单第 {int(row[names['shortlist']])} 位" if zh else f"shortlist #{int(row[names['shortlist']])}"
        elif pd.notna(row[names["duplicate_of"]]):
            first = int(row[names["duplicate_of"]])
            note = f"重复：同输入第 {first} 行" if zh else f"copy of input row {first}"
        elif k < len(bands) and bands[k] in _BAND_NOTES:
            note = _BAND_NOTES[bands[k]][0 if zh else 1]
        rows.append((str(int(row[names["rank"]])), str(row[firm]) if firm else "-", f"{chain} · {link}", row[names["action"]] or "-",
                     f"{row[names['score']]:.1f}", f"{row[names['likelihood']]:.2f}", f"{row[names['priority']]:.1f}", note))
    widths = [max(_width(r[j]) for r in [labels, *rows]) for j in range(len(labels))]
    right = {0, 4, 5, 6}
    return ["  ".join(_pad(cell, widths[j], j in right) for j, cell in enumerate(r)).rstrip() for r in [labels, *rows]]


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def _output_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Each output column's name in ``frame`` (renamed when the input had a column of that name)."""
    return dict(zip(OUTPUT_COLUMNS, list(frame.columns)[-len(OUTPUT_COLUMNS):], strict=True))


@app.command()
def score(
    json_text: Annotated[str | None, typer.Option("--json", help="The profile as JSON (default: read standard input).")] = None,
    map_dir: MapOption = None,
    lang: LangOption = "zh",
    model: ModelOption = None,
) -> None:
    """Score one firm profile given as JSON; print the result (score, likelihood, priority) as JSON."""
    _check_lang(lang)
    raw = json_text if json_text is not None else sys.stdin.read()
    if (depth := _json_depth(raw)) > MAX_JSON_DEPTH:
        raise _fail(f"JSON 嵌套过深（{depth} 层，上限 {MAX_JSON_DEPTH} 层）/ JSON nested too deeply: {depth} levels, "
                    f"at most {MAX_JSON_DEPTH}", EXIT_PROFILE)
    try:
        profile = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _fail(f"JSON 无效 / invalid JSON: {exc}", EXIT_PROFILE) from None
    if not isinstance(profile, dict):
        raise _fail("JSON 必须是对象 / the profile must be a JSON object", EXIT_PROFILE)
    with _errors():
        result = Recommender(map_dir, model=_model_ref(model)).score(profile, lang=lang)
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings not counted),
    found without parsing, so that no input can exhaust the parser's recursion."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match[0] in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


@app.command()
def train(
    history: Annotated[Path | None, typer.Argument(help="Past candidates: profile columns, 首次接触日期 (contact date) and 结果 (签约/落地/未落地).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Model folder, e.g. models/<name>; a new version is written into it.")] = None,
    map_dir: MapOption = None,
    test_share: Annotated[float, typer.Option("--test-share", min=0.05, max=0.5, help="Share of the latest firms held out for validation.")] = 0.25,
    from_db: Annotated[bool, typer.Option("--from-db", help="Train a candidate on the service database's lead pipeline (promote it with `recommender models promote`).")] = False,
    synthetic: Annotated[bool, typer.Option(
        "--synthetic", help="The history is made up (a demo): recorded in the model card and shown with the model's version in every output.",
    )] = False,
) -> None:
    """Train a landing model on a history; validate on the latest firms; save it with a model card."""
    if from_db:
        return _train_from_db(test_share)
    if history is None or output is None:
        raise typer.BadParameter("give HISTORY and -o MODEL_DIR, or --from-db", param_hint="HISTORY")
    from .likelihood import load_model, model_card, read_history, save_model, train_landing

    with _errors():
        chain_map = load_map(map_dir)
        records = read_history(history)
        model, evaluation = train_landing(records, chain_map, name=output.name, synthetic=synthetic, test_share=test_share)
        path = save_model(model, output, card=model_card(model, evaluation))
        load_model(path).check_map(chain_map)  # what was written loads and fits the map
    typer.echo(f"trained on {len(records)} firms ({int(records.label.sum())} landed or signed), map {chain_map.id} {chain_map.version}")
    typer.echo(f"validation: train {evaluation.train_period[0]} – {evaluation.train_period[1]} ({evaluation.train_rows}), "
               f"test {evaluation.test_period[0]} – {evaluation.test_period[1]} ({evaluation.test_rows})")
    typer.echo(evaluation.table.to_string(float_format=lambda v: f"{v:.3f}"))
    typer.echo(f"saved {model.version} → {path}{_model_note(model.version)}")


def _service() -> ModuleType:
    """The service's management functions (``api.manage``), imported only when a command needs them."""
    try:
        from api import manage
    except ImportError as exc:
        raise _fail(f"this command needs the 'api' extra (pip install 'recommender[api]'): {exc}", 2) from None
    return manage


def _train_from_db(test_share: float) -> None:
    manage = _service()
    from api.leads.training import HistoryTooSmall

    with _errors():
        try:
            result = manage.train_from_db(test_share=test_share)
        except HistoryTooSmall as exc:  # not an error: nothing changes
            typer.echo(str(exc))
            return
    record = result.record
    typer.echo(f"candidate {record.id}: {record.outcomes} real outcomes ({record.positives} signed or landed), "
               f"first contact {record.first_date} – {record.last_date}")
    typer.echo(result.table.to_string(float_format=lambda v: f"{v:.3f}"))
    typer.echo(f"promote it with: recommender models promote {record.id}")


db_app = typer.Typer(no_args_is_help=True, help="The service's database (RECOMMENDER_DATABASE_URL, else SQLite in the data folder).")
users_app = typer.Typer(no_args_is_help=True, help="Users of the service and their roles (viewer, officer, admin).")
keys_app = typer.Typer(no_args_is_help=True, help="API keys for machine clients, each with a role.")
models_app = typer.Typer(no_args_is_help=True, help="Landing models trained from the lead pipeline.")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(models_app, name="models")
RoleOption = Annotated[str, typer.Option("--role", help="viewer, officer or admin.")]


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the service refuses a database whose schema is behind)."""
    before, after = _service().db_upgrade()
    typer.echo(f"database schema: {before or 'empty'} → {after}")


@db_app.command("status")
def db_status() -> None:
    """Say whether the database schema is current."""
    state, current, head = _service().db_status()
    typer.echo(f"{state}: at {current or 'empty'}, newest {head}")
    if state != "current":
        raise typer.Exit(1)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: RoleOption = "officer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Add a user; the password comes from a prompt (asked twice) or --password-stdin."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        _service().create_user(name, role, password)
    except ValueError as exc:
        raise _fail(f"无法添加用户 / cannot add the user: {exc}", 2) from None
    typer.echo(f"added user {name} ({role})")


@keys_app.command("add")
def keys_add(name: Annotated[str, typer.Argument(help="The client's name, recorded as the actor.")], role: RoleOption = "officer") -> None:
    """Create an API key; it is printed once (only its hash is stored)."""
    try:
        key = _service().add_key(name, role)
    except ValueError as exc:
        raise _fail(f"无法添加密钥 / cannot add the key: {exc}", 2) from None
    typer.echo(key)


@models_app.command("list")
def models_list() -> None:
    """Models trained from the pipeline: id, status, outcomes, dates."""
    for row in _service().list_models():
        typer.echo(f"{row.id}  {row.status:<9}  {row.outcomes} outcomes ({row.positives} won)  {row.period}  trained {row.created}")


@models_app.command("promote")
def models_promote(model_id: Annotated[str, typer.Argument(help="The model's id (name/version), from `recommender models list`.")]) -> None:
    """Make ranking use this model (the service picks it up within about a second)."""
    try:
        with _errors():
            promoted = _service().promote_model(model_id)
    except LookupError as exc:
        raise _fail(str(exc), 2) from None
    typer.echo(f"promoted {promoted}")


@app.command()
def chains(map_dir: MapOption = None, lang: LangOption = "zh") -> None:
    """Gap report: each chain's links with stage, status, action and need."""
    _check_lang(lang)
    with _errors():
        chain_map = load_map(map_dir)
    links = encode_links(chain_map)
    zh = lang == "zh"
    for chain in chain_map.chains:
        typer.echo(f"\n{chain.name.zh if zh else chain.name.en} ({chain.id})")
        rows = links[links["chain_id"] == chain.id].sort_values("need", ascending=False)
        for link_id, row in rows.iterrows():
            name = row["link_zh"] if zh else row["link_en"]
            typer.echo(f"  {row['need']:.2f}  {row['action']}  {row['stage']:<10} {row['status']:<8} {name} ({link_id})")


@app.command("validate-map")
def validate_map(directory: Annotated[Path, typer.Argument(help="The chain-map folder to check.")]) -> None:
    """Check a chain-map folder: schema, references and every quote against its source."""
    with _errors():
        chain_map = load_map(directory)
    typer.echo(f"OK: {chain_map.id} {chain_map.version}: {len(chain_map.chains)} chains, {len(chain_map.links)} links, {len(chain_map.parks)} parks, {len(chain_map.leaders)} leaders")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    map_dir: MapOption = None,
    model: ModelOption = None,
    log_level: Annotated[str, typer.Option("--log-level", help="critical, error, warning, info or debug.")] = "info",
) -> None:
    """Serve the REST API (docs at /docs); settings from RECOMMENDER_* environment variables."""
    if log_level not in ("critical", "error", "warning", "info", "debug"):
        raise typer.BadParameter("must be one of critical, error, warning, info, debug", param_hint="--log-level")
    try:
        import uvicorn

        from api.protocols import http_protocol
    except ImportError as exc:
        raise _fail(f"the service needs the 'api' extra (pip install 'recommender[api]'): {exc}", 2) from None
    if map_dir is not None:
        with _errors():
            load_map(map_dir)  # fail here, with exit code 4, rather than in every worker
        os.environ["RECOMMENDER_MAP_DIR"] = str(map_dir.resolve())
    if model is not None:
        os.environ["RECOMMENDER_MODEL"] = model
    # workers import the library before they answer the supervisor's health check: allow for a slow start
    uvicorn.run("api.main:app", host=host, port=port, workers=workers, log_level=log_level, http=http_protocol(), timeout_worker_healthcheck=60)


def main() -> None:  # pragma: no cover - the console-script entry point
    """Run the command, then end the process at once.

    Tearing the interpreter down (the modules and objects of pandas, SciPy and scikit-learn)
    takes 0.3–0.4 s and does nothing useful once the command has finished: every file is
    closed by then, and the temporary files removed.
    """
    try:
        app()  # click's standalone mode ends with SystemExit
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
            code = 1
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:  # a closed pipe (`recommender chains | head`): nothing more to say
                pass
        os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
