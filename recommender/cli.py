"""The ``recommender`` command line.

Exit codes: 0 success; 2 wrong usage; 3 an input file is missing or unreadable; 4 the chain
map is invalid; 5 an input file holds bytes no accepted encoding decodes; 6 a bad profile.
Errors go to standard error, one line per problem, without a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .chainmap import load_map
from .encoding import encode_links
from .exceptions import EncodingError, InputFileError, MapError, ProfileError
from .explanation import LANGUAGES
from .pipeline import Recommender
from .ranking import OUTPUT_COLUMNS

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Investment-targeting recommender: rank firms against industry-chain maps.")

EXIT_INPUT, EXIT_MAP, EXIT_ENCODING, EXIT_PROFILE = 3, 4, 5, 6

MapOption = Annotated[Path | None, typer.Option("--map", help="Chain-map folder (default: the embedded Jiangmen map).")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of names and reasons: zh or en.")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into messages and exit codes (the only place that does)."""
    try:
        yield
    except EncodingError as exc:
        raise _fail(f"编码错误 / encoding error: {exc}", EXIT_ENCODING) from None
    except InputFileError as exc:
        raise _fail(f"输入文件错误 / input file error: {exc}", EXIT_INPUT) from None
    except MapError as exc:
        raise _fail(f"产业链图谱无效 / {exc}", EXIT_MAP) from None
    except ProfileError as exc:
        raise _fail(f"企业信息无效 / invalid profile: {exc}", EXIT_PROFILE) from None


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
    input: Annotated[Path, typer.Argument(help="Candidate firms: CSV (UTF-8, BOM, GBK/GB18030) or XLSX.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Ranked output file, .csv or .xlsx.")],
    map_dir: MapOption = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Print the N best firms (the file keeps every row).")] = 10,
    shortlist: Annotated[int, typer.Option("--shortlist", min=0, help="Pick K firms that together serve the most need.")] = 0,
    lang: LangOption = "zh",
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", min=1, help="Rows read per chunk.")] = 50_000,
) -> None:
    """Rank a file of candidate firms; every input row comes back, best first."""
    _check_lang(lang)
    with _errors():
        recommender = Recommender(map_dir)
        update, close = _progress(None)
        try:
            report = recommender.rank_file(input, output, lang=lang, top=top, shortlist=shortlist, chunk_rows=chunk_rows, progress=update)
        finally:
            close()
    zh = lang == "zh"
    typer.echo(
        f"已排序 {report.rows} 行（匹配到环节 {report.matched_rows} 行，问题行 {report.bad_rows} 行）→ {output}"
        if zh else f"ranked {report.rows} rows ({report.matched_rows} matched a link, {report.bad_rows} with problems) → {output}"
    )
    if top and len(report.top):
        names = _output_columns(report.top)
        for _, row in report.top.iterrows():
            typer.echo(f"{int(row[names['rank']]):>4}  {row[names['score']]:>6.2f}  {row[names['action']] or '-'}  {row[names['chain']] or '-'}·{row[names['link']] or '-'}  {row.iloc[0]}")
    if report.coverage is not None:
        typer.echo(report.coverage.summary(lang))


def _output_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Each output column's name in ``frame`` (renamed when the input had a column of that name)."""
    return dict(zip(OUTPUT_COLUMNS, list(frame.columns)[-len(OUTPUT_COLUMNS):], strict=True))


@app.command()
def score(
    json_text: Annotated[str | None, typer.Option("--json", help="The profile as JSON (default: read standard input).")] = None,
    map_dir: MapOption = None,
    lang: LangOption = "zh",
) -> None:
    """Score one firm profile given as JSON; print the result as JSON."""
    _check_lang(lang)
    raw = json_text if json_text is not None else sys.stdin.read()
    try:
        profile = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(f"JSON 无效 / invalid JSON: {exc}", EXIT_PROFILE) from None
    if not isinstance(profile, dict):
        raise _fail("JSON 必须是对象 / the profile must be a JSON object", EXIT_PROFILE)
    with _errors():
        result = Recommender(map_dir).score(profile, lang=lang)
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))


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


def main() -> None:  # pragma: no cover - the console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
