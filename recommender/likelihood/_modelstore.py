"""Landing models on disk: saved with skops, versioned, checked before they are trusted.

A models folder holds one folder per model name and, in it, one set of files per version::

    models/
      default/
        20241231-3fa2c1d0.skops           the fitted pipeline and its info (skops, no pickle)
        20241231-3fa2c1d0.json            the info again, with the sha256 of the .skops and tables files
        20241231-3fa2c1d0.tables.json     the pipeline as scoring tables (plain JSON data)
        20241231-3fa2c1d0.model-card.md   data, dates, metrics, baselines, features, limits

Scoring reads the tables (:class:`~recommender.likelihood.LandingTables`): loading a model
checks its files and reads them, and the pipeline itself (skops, scikit-learn estimators) is
read only when asked for (training reports, notebooks). A model saved without tables is read
whole at once.

A model is referred to by a path (a ``.skops`` file, or a model folder: its newest version),
by a name in a models folder (``default``, the one shipped in ``recommender/models``), or by
``name/version``. Its version string, ``name/version``, is reported with every score.

Loading refuses, with a :class:`~recommender.exceptions.ModelError` that says what to do:

* a file whose bytes differ from the sha256 recorded beside it (tampered or damaged), or
  whose embedded info differs from the sidecar's (both files, the tables too);
* a file holding any type outside :data:`ALLOWED_TYPES` (every node of the skops schema is
  checked at load; when the pipeline is read, ``skops.io.get_untrusted_types`` must also name
  only :data:`TRUSTED_TYPES`); no pickle is ever loaded;
* a model saved under another scikit-learn version, or for other feature columns;
* (:meth:`LandingModel.check_map`) a model trained for another map: another map id or links.

The sha256 detects damage and naive edits, not a forger who rewrites both files: the type
allow-list is what keeps a hostile file from running code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..chainmap._schema import ChainMap
from ..exceptions import ModelError
from ._tables import FEATURE_COLUMNS, LandingEstimate, LandingTables, estimate_landing, landing_tables

if TYPE_CHECKING:  # scikit-learn is imported only when a pipeline is read or saved
    from sklearn.pipeline import Pipeline

__all__ = [
    "ALLOWED_TYPES",
    "DEFAULT_MODEL",
    "SYNTHETIC_LABEL",
    "TRUSTED_TYPES",
    "LandingModel",
    "ModelInfo",
    "default_models_dir",
    "link_fingerprint",
    "list_versions",
    "load_model",
    "save_model",
]

#: The landing model used when none is asked for, by the command line and the service alike: the
#: documented prior, until the bureau trains a model on its own outcomes. The model trained on
#: the synthetic demo history is ``demo``, used only when asked for.
DEFAULT_MODEL = "prior"
#: What a model trained on synthetic data says after its version, wherever the version is shown.
SYNTHETIC_LABEL = "synthetic"  # ASCII: it goes into HTTP headers too

#: Types outside skops' own safe defaults that a landing model file may hold.
TRUSTED_TYPES = (
    "recommender.likelihood._estimators.AdditiveBinner",
    "recommender.likelihood._estimators.AdditiveLogisticClassifier",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
)
#: Every type a landing model file may hold; a file naming any other is refused.
ALLOWED_TYPES = frozenset({
    *TRUSTED_TYPES,
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "builtins.NoneType",
    "numpy.ndarray", "numpy.float64", "numpy.int64", "numpy.int32", "numpy.bool_", "numpy.dtype",
})

MODEL_SUFFIX = ".skops"
INFO_SUFFIX = ".json"
#: The model's scoring tables (:class:`~recommender.likelihood.LandingTables`), plain JSON.
TABLES_SUFFIX = ".tables.json"
CARD_SUFFIX = ".model-card.md"
_FORMAT = 1
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def default_models_dir() -> Path:
    """The models folder shipped with the package (``recommender/models``)."""
    return Path(__file__).resolve().parents[1] / "models"


def link_fingerprint(chain_map: ChainMap) -> str:
    """A digest of a map's sorted link ids: equal exactly when the maps have the same links."""
    return hashlib.sha256("\n".join(sorted(chain_map.link_ids)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ModelInfo:
    """What a model was trained on and how well it did; stored in and beside the model file."""

    name: str
    version: str
    format: int
    sklearn_version: str
    skops_version: str
    feature_columns: tuple[str, ...]
    map_id: str
    map_version: str
    link_fingerprint: str
    link_ids: tuple[str, ...]
    history_file: str
    history_sha256: str
    rows: int
    positives: int
    train_period: tuple[str, str]
    test_period: tuple[str, str]
    params: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)  # {"model": {...}, "rule_score": {...}, ...}
    synthetic: bool = False  # trained on made-up outcomes (``recommender train --synthetic``), not the bureau's own

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, where: str) -> ModelInfo:
        try:
            data = json.loads(text)
            for key in ("feature_columns", "link_ids", "train_period", "test_period"):
                data[key] = tuple(data[key])
            return cls(**data)
        except (ValueError, TypeError, KeyError) as exc:
            raise ModelError(f"{where}: the model info is not valid ({exc}); retrain the model with `recommender train`") from None


class LandingModel:
    """A fitted landing pipeline and its :class:`ModelInfo`.

    Scoring reads :attr:`tables`. A model loaded from a folder that holds its tables does not
    read its pipeline (skops, scikit-learn) until :attr:`pipeline` is asked for.
    """

    def __init__(self, pipeline: Pipeline | None, info: ModelInfo, *, tables: LandingTables | None = None, source: Path | None = None):
        if pipeline is None and (tables is None or source is None):
            raise ValueError("LandingModel needs a pipeline, or tables and the model file to read the pipeline from")
        self._pipeline = pipeline
        self.info = info
        self._tables = tables
        self._source = source

    @property
    def pipeline(self) -> Pipeline:
        """The fitted pipeline (read and checked on first use when the model was loaded from tables)."""
        if self._pipeline is None:
            assert self._source is not None
            self._pipeline = _read_pipeline(self._source, self.info)
        return self._pipeline

    @property
    def tables(self) -> LandingTables:
        """What scoring reads: the pipeline as lookup tables."""
        if self._pipeline is None:
            assert self._tables is not None
            return self._tables
        return landing_tables(self._pipeline)

    @property
    def version(self) -> str:
        """``name/version``, reported with every likelihood; a model trained on synthetic data says so
        (``demo/20241231-a553c857 (synthetic)``)."""
        label = f"{self.info.name}/{self.info.version}"
        return f"{label} ({SYNTHETIC_LABEL})" if self.info.synthetic else label

    def check_map(self, chain_map: ChainMap) -> None:
        """Refuse a map other than the one the model was trained for.

        Raises
        ------
        ModelError
            The map's id or its links differ from the training map's.
        """
        info = self.info
        if info.map_id == chain_map.id and info.link_fingerprint == link_fingerprint(chain_map):
            return
        ours, theirs = set(info.link_ids), set(chain_map.link_ids)
        detail = []
        if info.map_id != chain_map.id:
            detail.append(f"it was trained for map {info.map_id!r}, not {chain_map.id!r}")
        if ours != theirs:
            only_model = sorted(ours - theirs)
            only_map = sorted(theirs - ours)
            detail.append(
                f"the links differ ({len(ours)} in the model's map, {len(theirs)} in this one; "
                f"only in the model's map: {only_model[:8]}{' …' if len(only_model) > 8 else ''}; "
                f"only in this map: {only_map[:8]}{' …' if len(only_map) > 8 else ''})"
            )
        raise ModelError(
            f"model {self.version} does not fit map {chain_map.id!r} {chain_map.version}: " + "; ".join(detail)
            + ". Train a model for this map with `recommender train HISTORY -o MODEL_DIR --map MAP_DIR`, or score without one (prior)."
        )

    def estimate(self, scored: pd.DataFrame, points: Mapping[str, float]) -> LandingEstimate:
        """Likelihoods and per-feature parts of rows of :meth:`recommender.scoring.Scorer.score_frame`."""
        return estimate_landing(scored, points, self)


# -- saving ----------------------------------------------------------------------------------
def save_model(model: LandingModel, folder: str | Path, *, card: str | None = None) -> Path:
    """Write a model version into ``folder`` (created if needed); return the ``.skops`` path.

    The folder's name should be the model's name; an existing version of the same name is
    replaced (the same history and parameters give the same version).
    """
    folder = Path(folder)
    version = model.info.version
    if not _VERSION.match(version):
        raise ModelError(f"invalid model version {version!r}")
    folder.mkdir(parents=True, exist_ok=True)
    import skops.io as sio  # here, not at import: scoring with a saved model does not need skops

    data = sio.dumps({"format": _FORMAT, "info": model.info.to_json(), "pipeline": model.pipeline})
    target = folder / f"{version}{MODEL_SUFFIX}"
    tables = (json.dumps(landing_tables(model.pipeline).to_dict(), ensure_ascii=False) + "\n").encode()
    sidecar = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "tables_sha256": hashlib.sha256(tables).hexdigest(),
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "info": json.loads(model.info.to_json()),
    }
    _write_atomic(target, data)
    _write_atomic(folder / f"{version}{TABLES_SUFFIX}", tables)
    _write_atomic(folder / f"{version}{INFO_SUFFIX}", (json.dumps(sidecar, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
    if card is not None:
        _write_atomic(folder / f"{version}{CARD_SUFFIX}", card.encode())
    return target


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


# -- loading ---------------------------------------------------------------------------------
def list_versions(folder: str | Path) -> list[str]:
    """Versions saved in a model folder, oldest first (by the time each was saved)."""
    folder = Path(folder)
    found = []
    for path in folder.glob(f"*{MODEL_SUFFIX}"):
        sidecar = path.with_suffix(INFO_SUFFIX)
        saved_at = ""
        if sidecar.is_file():
            try:
                saved_at = str(json.loads(sidecar.read_text(encoding="utf-8")).get("saved_at", ""))
            except (ValueError, OSError):
                saved_at = ""
        found.append((saved_at, path.stem))
    return [version for _, version in sorted(found)]


def _resolve(ref: str | Path, models_dir: Path) -> Path:
    path = Path(ref)
    if path.suffix == MODEL_SUFFIX and path.is_file():
        return path
    candidates = [path] if path.is_dir() else []
    text = str(ref)
    if not path.is_absolute() and re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?", text):
        name, _, version = text.partition("/")
        if version:
            file = models_dir / name / f"{version}{MODEL_SUFFIX}"
            if file.is_file():
                return file
        elif (models_dir / name).is_dir():
            candidates.append(models_dir / name)
    for folder in candidates:
        versions = list_versions(folder)
        if versions:
            return folder / f"{versions[-1]}{MODEL_SUFFIX}"
    if candidates:
        raise ModelError(f"{candidates[0]}: no saved model version ({MODEL_SUFFIX} file) in this folder")
    names = sorted(p.name for p in models_dir.iterdir() if p.is_dir()) if models_dir.is_dir() else []
    raise ModelError(f"model {text!r} not found: not a {MODEL_SUFFIX} file or model folder, nor a model in {models_dir} (available: {', '.join(names) or 'none'})")


def _schema(data: bytes, where: str) -> dict:
    """The ``schema.json`` of a skops file: every object's type, and the plain values inline."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ModelError(f"{where}: not a skops model file ({exc})") from None


def _schema_types(schema: dict) -> set[str]:
    types: set[str] = set()
    stack: list = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                types.add(f"{node.get('__module__')}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return types


def _check_schema(schema: dict, info: ModelInfo, where: str, info_name: str) -> None:
    """Refuse types outside the allow-list, another format and an edited inner info (read from
    the schema, without loading anything)."""
    foreign = sorted(_schema_types(schema) - ALLOWED_TYPES)
    if foreign:
        raise ModelError(f"{where}: refused, the file holds types outside the allow-list: {foreign}")
    try:
        content = schema["content"]
        fmt = json.loads(content["format"]["content"])
        inner = json.loads(content["info"]["content"])
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"{where}: not a landing model of format {_FORMAT}") from None
    if fmt != _FORMAT or not isinstance(inner, str) or "pipeline" not in content:
        raise ModelError(f"{where}: not a landing model of format {_FORMAT}")
    if ModelInfo.from_json(inner, where=where) != info:
        raise ModelError(f"{where}: the info inside the model differs from {info_name}; the files were modified and are refused")


def load_model(ref: str | Path | LandingModel, *, models_dir: str | Path | None = None) -> LandingModel:
    """Load and check a model by path, by name (``default``) or by ``name/version``.

    Parameters
    ----------
    ref : str, Path or LandingModel
        A ``.skops`` file, a model folder (its newest version), or a name in ``models_dir``.
    models_dir : path, optional
        Where names are looked up (default: the package's ``recommender/models``).

    Raises
    ------
    ModelError
        Not found; tampered or damaged; a type outside the allow-list; another scikit-learn
        version; other feature columns.
    """
    if isinstance(ref, LandingModel):
        return ref
    path = _resolve(ref, Path(models_dir) if models_dir is not None else default_models_dir())
    where = str(path)
    data = path.read_bytes()
    sidecar_path = path.with_suffix(INFO_SUFFIX)
    if not sidecar_path.is_file():
        raise ModelError(f"{where}: no {sidecar_path.name} beside the model, so it cannot be verified; retrain it with `recommender train`")
    try:
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        recorded = str(sidecar["sha256"])
        info_json = json.dumps(sidecar["info"])
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise ModelError(f"{sidecar_path}: unreadable model info ({exc}); retrain the model with `recommender train`") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != recorded:
        raise ModelError(
            f"{where}: the file's sha256 {actual[:16]}… differs from the {recorded[:16]}… recorded when it was saved; "
            "it was modified or damaged and is refused. Restore it or retrain with `recommender train`."
        )
    info = ModelInfo.from_json(info_json, where=where)
    installed = _sklearn_version()
    if info.sklearn_version != installed:
        raise ModelError(
            f"{where}: saved under scikit-learn {info.sklearn_version}, but {installed} is installed; "
            "a model is only loaded by the version that saved it. Retrain it with `recommender train`."
        )
    if tuple(info.feature_columns) != FEATURE_COLUMNS:
        raise ModelError(f"{where}: trained on other feature columns than this version of the library computes; retrain it with `recommender train`")
    _check_schema(_schema(data, where), info, where, sidecar_path.name)  # now, whether or not the pipeline is read
    tables = _read_tables(path, sidecar)
    if tables is not None:
        return LandingModel(None, info, tables=tables, source=path)
    return LandingModel(_read_pipeline(path, info, data), info)


def _sklearn_version() -> str:
    return importlib.metadata.version("scikit-learn")


def _read_tables(path: Path, sidecar: dict) -> LandingTables | None:
    """The scoring tables saved beside the model, if present and the ones recorded with it."""
    tables_path = path.with_name(path.stem + TABLES_SUFFIX)
    recorded = sidecar.get("tables_sha256")
    if not recorded or not tables_path.is_file():
        return None
    data = tables_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != recorded:
        raise ModelError(f"{tables_path}: differs from the tables recorded when the model was saved; it was modified and is refused")
    try:
        return LandingTables.from_dict(json.loads(data))
    except ValueError as exc:
        raise ModelError(f"{tables_path}: not valid landing tables ({exc})") from None


def _read_pipeline(path: Path, info: ModelInfo, data: bytes | None = None) -> Pipeline:
    """Read and check the pipeline in a ``.skops`` file whose info was checked (``data``: its
    bytes, already checked against the sidecar and the schema; None: read and check them here)."""
    import skops.io as sio  # here, not at import: only training, evaluation and old models need it
    from sklearn.pipeline import Pipeline

    where = str(path)
    if data is None:
        data = path.read_bytes()
        recorded = json.loads(path.with_suffix(INFO_SUFFIX).read_text(encoding="utf-8"))["sha256"]
        if hashlib.sha256(data).hexdigest() != recorded:
            raise ModelError(f"{where}: the file changed since the model was loaded; it is refused")
        _check_schema(_schema(data, where), info, where, path.with_suffix(INFO_SUFFIX).name)
    untrusted = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
    if untrusted:
        raise ModelError(f"{where}: refused, the file holds types outside the allow-list: {untrusted}")
    try:
        content = sio.loads(data, trusted=list(TRUSTED_TYPES))
    except (ValueError, TypeError, KeyError, AttributeError, ImportError, zipfile.BadZipFile, sio.exceptions.UntrustedTypesFoundException) as exc:
        raise ModelError(f"{where}: the model file cannot be read ({type(exc).__name__}: {exc})") from None
    if not isinstance(content, dict) or not isinstance(content.get("pipeline"), Pipeline) or content.get("format") != _FORMAT:
        raise ModelError(f"{where}: not a landing model of format {_FORMAT}")
    embedded = ModelInfo.from_json(str(content.get("info")), where=where)
    if embedded != info:
        raise ModelError(f"{where}: the info inside the model differs from {path.with_suffix(INFO_SUFFIX).name}; the files were modified and are refused")
    return content["pipeline"]
