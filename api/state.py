"""The service's live state: the current ``Recommender``, swapped whole on a change.

The store holds one reference to a :class:`~recommender.Recommender` (map + landing model); a
request takes it once (:meth:`RecommenderStore.get`) and uses only that object, so a request
that overlaps an update sees the old map and model or the new ones, never a mix. A swap is a
single attribute assignment.

With several worker processes each has its own store: the worker that applies an update swaps
at once; the others notice the changed files and reload before serving their next request.
Each request stats the ``chains`` folder (where every update writes a new file); every watched
file, and each file in the watched folders, is stat'ed at most once per :data:`WATCH_SECONDS`
(every request while nothing is served), so a hand edit (``parks.yaml``, a chain file edited in
place, a new model version) is served within about a second. A
reload that fails (an invalid map, a corrupt model) keeps the last good Recommender serving;
before the first good load the service is not ready.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from recommender import ChainMap, MapError, ModelError, Recommender, default_map_dir, load_map
from recommender.likelihood import DEFAULT_MODEL, PRIOR_VERSION, LandingModel, default_models_dir, list_versions, load_model

from .exceptions import NotReadyError

__all__ = ["WATCH_SECONDS", "NotReadyError", "RecommenderStore"]

log = logging.getLogger("api")

#: The longest a hand edit outside ``chains/`` waits to be noticed.
WATCH_SECONDS = 1.0
_WATCHED = ("chains", "map.yaml", "parks.yaml", "leaders.yaml", "strategy.yaml", "sources")
_CHAINS = 0  # the index of the chains folder in the watched paths


def _stat(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _path_stamp(path: str) -> tuple:
    """A file's stat, or a folder's and each of its files' (a file edited in place changes no folder)."""
    try:
        with os.scandir(path) as entries:
            files = sorted((entry.name, _stat(entry.path)) for entry in entries if entry.is_file())
    except OSError:  # not a folder, or gone
        return (_stat(path),)
    return (_stat(path), *files)


class RecommenderStore:
    """Holds the current Recommender of one map folder and one landing model.

    Parameters
    ----------
    map_dir : path or None
        The map folder; None for the embedded map.
    model : str or None
        The landing model: ``"prior"`` (none), a ``.skops`` file, a model folder or a name in
        ``models_dir``; None: :data:`~recommender.likelihood.DEFAULT_MODEL`, the prior (as the
        command line does).
    models_dir : path or None
        Where model names are looked up (None: the package's models).
    watch : bool
        Reload when the map's or the model's files change.
    promoted_dir : path or None
        A model folder whose newest version, once there is one, is served instead of ``model``
        (where an admin's promoted models go).
    """

    def __init__(self, map_dir: Path | None, *, model: str | None = None, models_dir: Path | None = None, watch: bool = True,
                 promoted_dir: Path | None = None):
        self.map_dir = map_dir
        self.promoted_dir = promoted_dir
        self.model_ref = model if model is not None else DEFAULT_MODEL
        self.models_dir = models_dir
        self.watch = watch
        self.current: Recommender | None = None
        self.map_error: str | None = None
        self.model_error: str | None = None
        self._stamp: tuple | None = None
        self._tried: tuple | None = None
        self._lock = threading.Lock()
        self._watch_paths: tuple[str, ...] | None = None
        self._quick: tuple | None = None  # the chains folder's stat at the last full check
        self._next_full = 0.0  # monotonic time of the next full check

    # -- what is watched -------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return self.map_dir if self.map_dir is not None else default_map_dir()

    def _watched(self) -> tuple[str, ...]:
        """The files and folders whose change means a reload (computed once)."""
        if self._watch_paths is None:
            folder = self.folder
            paths = [str(folder / name) for name in _WATCHED]
            if self.model_ref != PRIOR_VERSION:
                models = self.models_dir if self.models_dir is not None else default_models_dir()
                paths += [self.model_ref, str(models / self.model_ref.partition("/")[0])]
            if self.promoted_dir is not None:
                paths.append(str(self.promoted_dir))
            self._watch_paths = tuple(paths)
        return self._watch_paths

    def _read_stamp(self) -> tuple:
        try:
            paths = self._watched()
        except MapError:
            return ()
        return tuple(_path_stamp(p) for p in paths)

    # -- loading ---------------------------------------------------------------------------
    @property
    def lock(self) -> threading.Lock:
        """Held while the map or model is reloaded or updated."""
        return self._lock

    @property
    def model_version(self) -> str:
        return self.current.model_version if self.current is not None else PRIOR_VERSION

    def _load_model(self) -> LandingModel | None:
        if self.promoted_dir is not None and list_versions(self.promoted_dir):
            return load_model(self.promoted_dir)
        if self.model_ref == PRIOR_VERSION:
            return None
        return load_model(self.model_ref, models_dir=self.models_dir)

    def load(self) -> None:
        """Load the map and the model (blocking); on failure keep the last good Recommender."""
        with self._lock:
            self._load_locked(self._read_stamp())

    def _load_locked(self, stamp: tuple) -> None:
        self._tried = stamp
        try:
            chain_map = load_map(self.map_dir)
        except (MapError, OSError) as exc:
            self.map_error = f"chain map invalid or unreadable ({len(getattr(exc, 'problems', [])) or 1} problems; see the server log)"
            log.error("chain map not loaded: %s", exc)
            return
        self.map_error = None
        try:
            recommender = Recommender(chain_map, model=self._load_model())
        except (ModelError, OSError) as exc:
            self.model_error = "landing model not loaded (see the server log)"
            log.error("landing model not loaded: %s", exc)
            return
        self.model_error = None
        self.current = recommender
        self._stamp = stamp
        log.info("serving map %s %s with model %s", chain_map.id, recommender.map_version, recommender.model_version)

    def _reload_if_changed(self) -> None:
        with self._lock:
            stamp = self._read_stamp()
            if stamp != self._stamp and stamp != self._tried:
                self._load_locked(stamp)

    def swap(self, chain_map: ChainMap) -> Recommender:
        """Serve ``chain_map`` with the current model from the next request on (hold :attr:`lock`)."""
        model = self.current.model if self.current is not None else self._load_model()
        recommender = Recommender(chain_map, model=model)
        self.current = recommender
        self._stamp = self._tried = self._read_stamp()
        self.map_error = None
        return recommender

    def reload_model(self) -> tuple[str, str, str]:
        """Load the model again (its newest version) and serve it; (model version before, after, the map version).

        Raises
        ------
        NotReadyError
            No map is loaded.
        ModelError
            The model cannot be loaded or does not fit the map; the last good one keeps serving.
        """
        with self._lock:
            current = self.current
            if current is None:
                raise NotReadyError(self.map_error or "chain map not loaded yet")
            before = current.model_version
            recommender = Recommender(current.chain_map, model=self._load_model())
            self.current = recommender
            self._stamp = self._tried = self._read_stamp()
            self.model_error = None
            return before, recommender.model_version, recommender.map_version

    def _changed(self) -> bool:
        """Whether the watched files differ from what is served (or last tried)."""
        quick = _stat(self._watched()[_CHAINS]) if self._watch_paths is not None else None
        now = time.monotonic()
        if self.current is not None and quick is not None and quick == self._quick and now < self._next_full:
            return False  # serving, chains/ unchanged, and the full check is not due (not ready: check every time)
        self._quick, self._next_full = quick, now + WATCH_SECONDS
        stamp = self._read_stamp()
        return stamp != self._stamp and stamp != self._tried

    async def get(self) -> Recommender:
        """The Recommender to serve this request with (reloaded first if the files changed)."""
        if self.watch and self._changed():
            await run_in_threadpool(self._reload_if_changed)
        current = self.current
        if current is None:
            raise NotReadyError(self.map_error or self.model_error or "loading")
        return current

    @property
    def ready(self) -> bool:
        return self.current is not None
