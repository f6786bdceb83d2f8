"""Chain maps as data: load, validate and query a city's industry-chain map.

A map is a folder::

    map.yaml          id, city, version, the source documents
    chains/*.yaml     one chain per file, its links with status, keywords, codes, edges
    parks.yaml        parks and platforms, what they host and exclude
    leaders.yaml      chain-leader firms (链主) and big-city terminal makers
    strategy.yaml     the weights of the score, each with the sentence it rests on
    sources/*.txt     the source documents every quote is checked against

Every file is validated on load (unknown keys, wrong types and dangling references are
errors); all problems are reported at once in a :class:`MapError` naming file, entry and
field. Nothing here is specific to one city.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from ..exceptions import MapError

__all__ = [
    "ACTIONS",
    "COMPONENTS",
    "COMPONENT_NAMES",
    "GAP_STATUSES",
    "PRIORITIES",
    "STAGES",
    "STAGE_NAMES",
    "STATUSES",
    "STATUS_NAMES",
    "Chain",
    "ChainMap",
    "Ident",
    "Leader",
    "Link",
    "Names",
    "Park",
    "Priority",
    "Quote",
    "Status",
    "Strategy",
    "Vocabulary",
    "default_map_dir",
    "load_map",
]

#: A link's local status and priority, declared once: the map, updates and the service use these.
Status = Literal["strong", "present", "weak", "missing"]
Priority = Literal["key_target", "target", "normal"]
STAGES = ("upstream", "midstream", "downstream", "service")
STATUSES: tuple[str, ...] = get_args(Status)
#: The statuses that make a link a gap (补链/强链 targets).
GAP_STATUSES = ("missing", "weak")
PRIORITIES: tuple[str, ...] = get_args(Priority)
ACTIONS = ("补链", "强链", "延链", "建链")
#: The components of the score, in the order they are reported; strategy.yaml weighs each.
COMPONENTS = (
    "chain_need", "stage", "maturity", "relatedness", "firm_strength", "origin",
    "leader_supply", "park_fit", "green",
)
#: What officers read for each stage, link status and score component: (Chinese, English).
STAGE_NAMES: dict[str, tuple[str, str]] = {
    "upstream": ("上游", "upstream"), "midstream": ("中游", "midstream"), "downstream": ("下游", "downstream"),
    "service": ("服务", "service"),
}
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "strong": ("优势", "strong"), "present": ("已有", "present"), "weak": ("薄弱", "weak"), "missing": ("缺失", "missing"),
}
COMPONENT_NAMES: dict[str, tuple[str, str]] = {
    "chain_need": ("链条需求", "chain need"), "stage": ("环节位置", "stage"), "maturity": ("技术成熟度", "maturity"),
    "relatedness": ("产业关联", "relatedness"), "firm_strength": ("企业实力", "firm strength"), "origin": ("来源地", "origin"),
    "leader_supply": ("链主配套", "leader supply"), "park_fit": ("园区承载", "park fit"), "green": ("绿色低碳", "green"),
}

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
Code = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Quote(_Strict):
    """A sentence of a source document that an entry rests on."""

    doc: Ident
    text: Text


class Names(_Strict):
    zh: Text
    en: Text


class Keywords(_Strict):
    zh: list[Text] = Field(default_factory=list)
    en: list[Text] = Field(default_factory=list)


class ObjectTerms(_Strict):
    """Something a firm works on (copper foil, spent batteries, castings …), in its wordings.
    A word with ``…`` between two parts matches them with a few characters between."""

    source: Text
    zh: list[Text] = Field(default_factory=list)
    en: list[Text] = Field(default_factory=list)


class Link(_Strict):
    """One link (环节) of a chain."""

    id: Ident
    name: Names
    stage: Literal["upstream", "midstream", "downstream", "service"]
    status: Status
    status_quote: Quote
    priority: Priority = "normal"
    priority_quote: Quote | None = None
    #: the sentence that names the link as a project to bring in (重点引进……项目): whatever the
    #: local status, the city means to fill it, so it needs what a gap needs (``status_need["missing"]``)
    project_quote: Quote | None = None
    maturity: Literal["mature", "maturing", "frontier"]
    role: Literal["core", "extension"] = "core"
    green: bool = False
    heavy: bool = False
    keywords: Keywords
    #: English and Chinese trade terms of the link's industry (product, process and grade names,
    #: abbreviations), with their source: link terms like ``keywords``; one that several links
    #: share counts as weak evidence only
    trade_terms: ObjectTerms | None = None
    industry_codes: list[Code] = Field(default_factory=list)
    supplies: list[Ident] = Field(default_factory=list)
    parks: list[Ident] = Field(default_factory=list)
    #: shared objects of ``vocabulary.yaml`` whose words are evidence for the link
    objects: list[Ident] = Field(default_factory=list)
    #: activities the link accepts (``vocabulary.yaml``); empty: the default of its stage
    activities: list[Ident] = Field(default_factory=list)


class Activity(_Strict):
    """Something a firm does (make, recycle, trade, invest …), with the words that say so."""

    production: bool
    source: Text
    zh: list[Text] = Field(default_factory=list)
    en: list[Text] = Field(default_factory=list)
    #: words that end a firm's name when the firm is one of these (XX投资有限公司, Acme Capital):
    #: the whole firm does this activity, so it fills no production link
    names: Keywords | None = None
    #: whether a firm named for this activity may still fill service links (false for a
    #: restaurant, clinic or salon: it uses products and services, it provides none of the map's)
    services: bool = True
    #: broader activities whose links accept this one too (smelting is making; a link that lists
    #: only the narrow activity does not accept the broader one's words)
    implies: list[Ident] = Field(default_factory=list)


class ClassLink(_Strict):
    """The main link of an industry class that several links list: the link a firm of that
    class does, by the class's name and description, when its own words decide nothing."""

    link: Ident
    source: Text


class ClassItem(_Strict):
    """An item of the registration catalogue (经营范围规范表述目录) that states a GB/T 4754 class in
    words other than the class's name (数据处理和存储支持服务 for 6550 信息处理和存储支持服务): read
    as the class's name is, for the links that list the class; ``activity``: the activity the item
    names itself (a service class's item names the service the firm runs, 数据处理和存储支持服务);
    ``links``: links whose product or service the item names though they list no code of its class
    (电池零配件生产, battery parts, names the battery materials and foils that go into a cell, classed
    by what they are made of): read for them too."""

    code: Code
    activity: Ident | None = None
    links: list[Ident] = Field(default_factory=list)
    source: Text


class OtherClass(_Strict):
    """A GB/T 4754 class that no link lists, whose product words hold a word of a link's for
    another thing (电力电子元器件, class 3824, holds 电子元器件, the components of group 398): its
    ``words`` name no link, and a link's word inside them names nothing."""

    words: list[Text]
    source: Text


class Vocabulary(_Strict):
    """The shared matching vocabulary of a map (``vocabulary.yaml``, optional): activities,
    objects, the activities a link accepts by default (``production`` for upstream,
    midstream and downstream links, ``service`` for service links), and the main link of the
    industry classes that several links list (``class_links``, by GB/T 4754 code), and the
    registration catalogue's items that state a class in words other than its name
    (``class_items``), and the classes no link lists whose words hold a link's word for another
    thing (``other_classes``)."""

    defaults: dict[Literal["production", "service"], list[Ident]] = Field(default_factory=dict)
    activities: dict[Ident, Activity] = Field(default_factory=dict)
    objects: dict[Ident, ObjectTerms] = Field(default_factory=dict)
    class_links: dict[Code, ClassLink] = Field(default_factory=dict)
    class_items: dict[Annotated[str, StringConstraints(min_length=2, max_length=64)], ClassItem] = Field(default_factory=dict)
    other_classes: dict[Code, OtherClass] = Field(default_factory=dict)

    def accepted(self, link: Link) -> tuple[str, ...]:
        """The activities ``link`` accepts: its own list, else the default of its stage."""
        if link.activities:
            return tuple(link.activities)
        return tuple(self.defaults.get("service" if link.stage == "service" else "production", ()))


class Chain(_Strict):
    """An industry chain (产业链) and its links."""

    id: Ident
    name: Names
    group: Literal["emerging", "traditional", "circular", "future", "service"]
    quote: Quote
    links: list[Link] = Field(min_length=1)


class Park(_Strict):
    """A park or platform that hosts links."""

    id: Ident
    name: Names
    district: Text | None = None
    specialises: list[Ident] = Field(default_factory=list)
    excludes_heavy_industry: bool = False
    quote: Quote


class Leader(_Strict):
    """A chain-leader firm (链主) or a big-city terminal maker that local firms supply."""

    id: Ident
    name: Names
    aliases: list[Text] = Field(default_factory=list)
    kind: Literal["local_leader", "terminal_maker"] = "local_leader"
    city: Text | None = None
    chains: list[Ident] = Field(default_factory=list)
    quote: Quote


class Weighted(_Strict):
    points: float = Field(ge=0, le=100)
    quote: Quote


class OriginGroup(_Strict):
    """Where a firm comes from: places in its city, tags, (``foreign_country``) any country
    other than China, or (``domestic_city``) any other known city in China."""

    name: Names
    share: float = Field(ge=0, le=1)
    places: list[Text] = Field(default_factory=list)
    tags: list[Text] = Field(default_factory=list)
    foreign_country: bool = False
    domestic_city: bool = False
    quote: Quote


class TagWeight(_Strict):
    share: float = Field(ge=0, le=1)
    aliases: list[Text] = Field(min_length=1)
    quote: Quote | None = None


class Strategy(_Strict):
    """The weights of the score; each rests on a quote."""

    components: dict[Ident, Weighted]
    status_need: dict[Status, float]
    priority_weight: dict[Literal["key_target", "target", "normal"], float]
    stage_weight: dict[Literal["upstream", "midstream", "downstream", "service"], float]
    maturity_weight: dict[Literal["mature", "maturing", "frontier"], float]
    origins: dict[Ident, OriginGroup]
    firm_tags: dict[Ident, TagWeight]
    green_keywords: Keywords
    stage_quote: Quote
    maturity_quote: Quote
    relatedness_quote: Quote

    @model_validator(mode="after")
    def _complete(self) -> Strategy:
        problems = []
        if set(self.components) != set(COMPONENTS):
            problems.append(f"components must be exactly {list(COMPONENTS)}")
        elif abs(sum(w.points for w in self.components.values()) - 100) > 1e-6:
            problems.append("component points must add up to 100")
        for name, keys in (
            ("status_need", STATUSES),
            ("priority_weight", ("key_target", "target", "normal")),
            ("stage_weight", STAGES),
            ("maturity_weight", ("mature", "maturing", "frontier")),
        ):
            table = getattr(self, name)
            if set(table) != set(keys):
                problems.append(f"{name} must give a value for each of {list(keys)}")
            elif not all(0 <= v <= 1 for v in table.values()):
                problems.append(f"{name} values must be in [0, 1]")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Source(_Strict):
    id: Ident
    file: Text
    title: Text


class Manifest(_Strict):
    id: Ident
    city: Names
    version: Text
    sources: list[Source] = Field(min_length=1)


@dataclasses.dataclass(kw_only=True, eq=False, repr=False)
class ChainMap:
    """A validated chain map. Build it with :func:`load_map`; derive one with
    :func:`dataclasses.replace` (its lookups are built afresh)."""

    directory: Path
    manifest: Manifest
    chains: tuple[Chain, ...]
    parks: tuple[Park, ...]
    leaders: tuple[Leader, ...]
    strategy: Strategy
    digest: str
    vocabulary: Vocabulary = dataclasses.field(default_factory=Vocabulary)

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        """The map's declared version and a digest of its files, e.g. ``2026.11-3fa2c1d0``."""
        return f"{self.manifest.version}-{self.digest[:8]}"

    @cached_property
    def links(self) -> tuple[Link, ...]:
        return tuple(link for chain in self.chains for link in chain.links)

    @cached_property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(link.id for link in self.links)

    @cached_property
    def chain_of(self) -> dict[str, Chain]:
        return {link.id: chain for chain in self.chains for link in chain.links}

    @cached_property
    def link_by_id(self) -> dict[str, Link]:
        return {link.id: link for link in self.links}

    @cached_property
    def chain_by_id(self) -> dict[str, Chain]:
        return {chain.id: chain for chain in self.chains}

    @cached_property
    def park_by_id(self) -> dict[str, Park]:
        return {park.id: park for park in self.parks}

    def __repr__(self) -> str:
        return f"ChainMap({self.id!r}, version={self.version!r}, chains={len(self.chains)}, links={len(self.links)})"


def default_map_dir() -> Path:
    """The embedded Jiangmen map shipped with the package."""
    here = Path(__file__).resolve().parents[1]  # the recommender package
    for candidate in (here / "_seeds" / "jiangmen", here.parent / "seeds" / "jiangmen"):
        if (candidate / "map.yaml").is_file():
            return candidate
    raise MapError([(str(here.parent / "seeds" / "jiangmen"), "map", "", "embedded map not found")])


try:  # libyaml's parser when present: 10× faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    # the pure-Python loader has the same interface; mypy sees two classes for one name
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _SafeLoader(_BaseLoader):
    """Safe YAML that refuses duplicate keys."""


#: What a file, entry and field was wrong with: (path, entry, field, problem), reported together.
_Problems = list[tuple[str, str, str, str]]
_Model = TypeVar("_Model", bound=BaseModel)


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def _read_yaml(path: Path, problems: _Problems) -> object:
    try:
        with path.open("rb") as fh:
            return yaml.load(fh, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        problems.append((str(path), "file", "", "missing"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append((str(path), "file", "", f"not valid YAML: {exc}"))
    return None


def _entry_name(data: object, loc: tuple[int | str, ...]) -> str:
    """Name the entry of a validation error by its ``id`` where it has one."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(node, dict) and step in node:
            node = node[step]
            parts.append(str(step))
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(f"[{ident}]" if ident else f"[{step}]")
        else:
            parts.append(str(step))
    return ".".join(parts).replace(".[", "[")


def _parse(model: type[_Model], data: object, path: Path, problems: _Problems) -> _Model | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            entry = _entry_name(data, loc[:-1]) if len(loc) > 1 else model.__name__.lower()
            field = str(loc[-1]) if loc else ""
            problems.append((str(path), entry or model.__name__.lower(), field, err["msg"]))
    return None


def _check_references(
    chains: list[Chain], parks: list[Park], leaders: list[Leader], files: dict[str, Path], problems: _Problems
) -> None:
    link_ids: dict[str, str] = {}
    for chain in chains:
        for link in chain.links:
            if link.id in link_ids:
                problems.append((str(files[chain.id]), f"links[{link.id}]", "id", f"duplicate link id (also in chain {link_ids[link.id]})"))
            link_ids[link.id] = chain.id
            if link.priority != "normal" and link.priority_quote is None:
                problems.append((str(files[chain.id]), f"links[{link.id}]", "priority_quote", "required when priority is not 'normal'"))
            if not (link.keywords.zh or link.keywords.en or link.industry_codes):
                problems.append((str(files[chain.id]), f"links[{link.id}]", "keywords", "a link needs keywords or industry codes"))
    chain_ids = {c.id for c in chains}
    park_ids = {p.id for p in parks}
    for chain in chains:
        for link in chain.links:
            for target in link.supplies:
                if target not in link_ids:
                    problems.append((str(files[chain.id]), f"links[{link.id}]", "supplies", f"unknown link {target!r}"))
            for park_id in link.parks:
                if park_id not in park_ids:
                    problems.append((str(files[chain.id]), f"links[{link.id}]", "parks", f"unknown park {park_id!r}"))
    for park in parks:
        for ref in park.specialises:
            if ref not in chain_ids and ref not in link_ids:
                problems.append((str(files["parks"]), f"parks[{park.id}]", "specialises", f"unknown chain or link {ref!r}"))
    for leader in leaders:
        for ref in leader.chains:
            if ref not in chain_ids:
                problems.append((str(files["leaders"]), f"leaders[{leader.id}]", "chains", f"unknown chain {ref!r}"))


def _check_vocabulary(chains: list[Chain], vocabulary: Vocabulary, files: dict[str, Path], path: Path, problems: _Problems) -> None:
    for kind, ids in vocabulary.defaults.items():
        for ref in ids:
            if ref not in vocabulary.activities:
                problems.append((str(path), f"defaults.{kind}", "", f"unknown activity {ref!r}"))
    for name, activity in vocabulary.activities.items():
        for ref in activity.implies:
            if ref not in vocabulary.activities:
                problems.append((str(path), f"activities.{name}", "implies", f"unknown activity {ref!r}"))
    for chain in chains:
        for link in chain.links:
            for field, noun, table in (("objects", "object", vocabulary.objects), ("activities", "activity", vocabulary.activities)):
                for ref in getattr(link, field):
                    if ref not in table:
                        problems.append((str(files[chain.id]), f"links[{link.id}]", field, f"unknown {noun} {ref!r} (vocabulary.yaml)"))
    codes = {link.id: link.industry_codes for chain in chains for link in chain.links}
    for code, main in vocabulary.class_links.items():
        if main.link not in codes:
            problems.append((str(path), f"class_links.{code}", "link", f"unknown link {main.link!r}"))
        elif code not in codes[main.link]:
            problems.append((str(path), f"class_links.{code}", "link", f"link {main.link!r} does not list industry code {code!r}"))
    listed = {code for link_codes in codes.values() for code in link_codes}
    for item, entry in vocabulary.class_items.items():
        for ref in entry.links:
            if ref not in codes:
                problems.append((str(path), f"class_items.{item}", "links", f"unknown link {ref!r}"))
        if not entry.links and not any(code == entry.code or entry.code.startswith(code) for code in listed):
            problems.append((str(path), f"class_items.{item}", "code", f"no link lists industry code {entry.code!r} or a prefix of it"))
        if entry.activity is not None and entry.activity not in vocabulary.activities:
            problems.append((str(path), f"class_items.{item}", "activity", f"unknown activity {entry.activity!r}"))
    for code, other in vocabulary.other_classes.items():
        if any(code.startswith(listed_code) for listed_code in listed):
            problems.append((str(path), f"other_classes.{code}", "code", f"a link lists industry code {code!r} or a prefix of it"))
        if not other.words:
            problems.append((str(path), f"other_classes.{code}", "words", "no words"))


def _check_quotes(
    entries: list[tuple[str, str, str, Quote]], sources: dict[str, str], problems: _Problems
) -> None:
    for path, entry, field, quote in entries:
        if quote.doc not in sources:
            problems.append((path, entry, field, f"unknown source document {quote.doc!r}"))
        elif _squash(quote.text) not in sources[quote.doc]:
            problems.append((path, entry, field, f"quote not found in source {quote.doc!r}: {quote.text[:40]!r}"))


def _quoted_entries(
    chains: list[Chain], files: dict[str, Path], parks: list[Park], leaders: list[Leader], strategy: Strategy | None, folder: Path
) -> list[tuple[str, str, str, Quote]]:
    out: list[tuple[str, str, str, Quote]] = []
    for chain in chains:
        path = str(files[chain.id])
        out.append((path, f"chain[{chain.id}]", "quote", chain.quote))
        for link in chain.links:
            out.append((path, f"links[{link.id}]", "status_quote", link.status_quote))
            if link.priority_quote is not None:
                out.append((path, f"links[{link.id}]", "priority_quote", link.priority_quote))
            if link.project_quote is not None:
                out.append((path, f"links[{link.id}]", "project_quote", link.project_quote))
    out += [(str(files["parks"]), f"parks[{p.id}]", "quote", p.quote) for p in parks]
    out += [(str(files["leaders"]), f"leaders[{x.id}]", "quote", x.quote) for x in leaders]
    if strategy is not None:
        spath = str(folder / "strategy.yaml")
        out += [(spath, f"components.{k}", "quote", w.quote) for k, w in strategy.components.items()]
        out += [(spath, f"origins.{k}", "quote", o.quote) for k, o in strategy.origins.items()]
        out += [(spath, f"firm_tags.{k}", "quote", t.quote) for k, t in strategy.firm_tags.items() if t.quote]
        out += [(spath, name, "", getattr(strategy, name)) for name in ("stage_quote", "maturity_quote", "relatedness_quote")]
    return out


def _list_of(data: object, key: str, path: Path, problems: _Problems) -> list[object]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.append((str(path), key, "", f"the file must hold a mapping with a list '{key}'"))
        return []
    extra = set(data) - {key}
    if extra:
        problems.append((str(path), key, "", f"unknown top-level keys: {sorted(extra)}"))
    return data[key]


def load_map(directory: str | Path | None = None) -> ChainMap:
    """Load and validate a chain-map folder.

    Parameters
    ----------
    directory : path, optional
        The map folder; the embedded Jiangmen map when omitted.

    Raises
    ------
    MapError
        Listing every problem found, each naming file, entry and field.
    """
    folder = Path(directory) if directory is not None else default_map_dir()
    if not folder.is_dir():
        raise MapError([(str(folder), "map", "", "not a folder")])
    problems: _Problems = []
    digest = hashlib.sha256()

    def read(path: Path) -> object:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return _read_yaml(path, problems)

    manifest = _parse(Manifest, read(folder / "map.yaml"), folder / "map.yaml", problems)
    chain_files = sorted((folder / "chains").glob("*.yaml"))
    if not chain_files:
        problems.append((str(folder / "chains"), "chains", "", "no chain files (*.yaml)"))
    chains: list[Chain] = []
    files: dict[str, Path] = {"parks": folder / "parks.yaml", "leaders": folder / "leaders.yaml"}
    for path in chain_files:
        chain = _parse(Chain, read(path), path, problems)
        if chain is not None:
            if chain.id in files:
                problems.append((str(path), f"chain[{chain.id}]", "id", "duplicate chain id"))
            files[chain.id] = path
            chains.append(chain)
    parks_data = read(files["parks"])
    parks = [p for p in (_parse(Park, d, files["parks"], problems) for d in _list_of(parks_data, "parks", files["parks"], problems)) if p]
    leaders_data = read(files["leaders"])
    leaders = [x for x in (_parse(Leader, d, files["leaders"], problems) for d in _list_of(leaders_data, "leaders", files["leaders"], problems)) if x]
    strategy = _parse(Strategy, read(folder / "strategy.yaml"), folder / "strategy.yaml", problems)
    vocabulary_path = folder / "vocabulary.yaml"
    vocabulary = _parse(Vocabulary, read(vocabulary_path), vocabulary_path, problems) if vocabulary_path.is_file() else Vocabulary()
    _check_references(chains, parks, leaders, files, problems)
    if vocabulary is not None:
        _check_vocabulary(chains, vocabulary, files, vocabulary_path, problems)
    if manifest is not None:
        sources: dict[str, str] = {}
        for src in manifest.sources:
            path = folder / "sources" / src.file
            try:
                sources[src.id] = _squash(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append((str(folder / "map.yaml"), f"sources[{src.id}]", "file", f"cannot read {path.name}: {exc}"))
        _check_quotes(_quoted_entries(chains, files, parks, leaders, strategy, folder), sources, problems)
    if problems:
        raise MapError(problems)
    assert manifest is not None and strategy is not None
    return ChainMap(
        directory=folder,
        manifest=manifest,
        chains=tuple(chains),
        parks=tuple(parks),
        leaders=tuple(leaders),
        strategy=strategy,
        digest=digest.hexdigest(),
        vocabulary=vocabulary if vocabulary is not None else Vocabulary(),
    )
