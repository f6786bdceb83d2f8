"""Wire models: what the service accepts and returns (named by direction).

Requests forbid unknown fields and use strict types where coercion would hide a mistake (a
number sent as text, a code sent as a number, ``true`` as a count). Responses that carry a
library type are generated from it (:func:`wire_fields`): its fields, in its order, with the
types and descriptions it declares, so a field added to ``Result``, ``LinkChange``,
``AuditEntry``, ``Factor``, the map's ``Link``, ``Chain`` or ``Park`` (or a column added to the
leads, lead-history or models table, :mod:`api.leads.schemas`) reaches the wire without a second
declaration. They are built from the library's objects in one line each
(``ScoreResponse.from_result``, ``LinkUpdateResponse.from_change``, ``model_validate``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import GenericAlias
from typing import Annotated, Any, Literal, Self, get_args, get_origin, get_type_hints

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, create_model
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Mapped

from recommender import COMPONENTS, Result
from recommender.chainmap import AuditEntry, Chain, Link, LinkChange, Names, Park, Priority, Quote, Status
from recommender.likelihood import Factor
from recommender.ranking import RankReport
from recommender.scoring import NUMERIC_BOUNDS
from recommender.tables import ColumnUse

__all__ = [
    "AuditEntryOut",
    "AuditResponse",
    "ChainDetail",
    "ChainSummary",
    "ChainsResponse",
    "ColumnUseResponse",
    "ErrorItem",
    "ErrorResponse",
    "FactorOut",
    "HealthResponse",
    "LinkDetail",
    "LinkSummary",
    "LinkUpdateRequest",
    "LinkUpdateResponse",
    "ModelReloadResponse",
    "Names",
    "ParkOut",
    "ParksResponse",
    "QuoteIn",
    "RankReportResponse",
    "ReadyResponse",
    "ScoreBatchRequest",
    "ScoreBatchResponse",
    "ScoreRequest",
    "ScoreResponse",
    "VersionResponse",
    "wire_fields",
]

#: Hard ceiling of the batch size in the schema; the configured limit (``max_batch``) is lower.
BATCH_CEILING = 1000

Lang = Literal["zh", "en"]


def _text(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """Strict text of a bounded length (for ``Annotated[str, _text(…)]``)."""
    return StringConstraints(strict=True, min_length=min_length, max_length=max_length)


def _json_number(value: object) -> object:
    """Refuse text and booleans before pydantic's lax integer parsing (``1980.0`` stays allowed)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer (a JSON number, not text)")
    return value


#: With ``Annotated[int, _bounds(…), _JSON_INTEGER]``: a JSON integer (``2012`` or ``2012.0``; not ``"2012"``, ``true`` or ``2012.5``).
_JSON_INTEGER = BeforeValidator(_json_number)


def _bounds(field: str, *, strict: bool = False) -> Any:
    """The field's range from the one table of profile bounds (a JSON number, finite, when ``strict``)."""
    low, high = NUMERIC_BOUNDS[field]
    if strict:
        return Field(strict=True, ge=low, le=high, allow_inf_nan=False)
    return Field(ge=int(low), le=int(high))


_ListText = Annotated[list[Annotated[str, _text(100)]], Field(max_length=50)]

SCORE_EXAMPLE: dict[str, Any] = {
    "name": "广东某铜箔科技有限公司",
    "description": "锂电铜箔、电解铜箔的研发、生产和销售",
    "city": "深圳",
    "country": "中国",
    "industry_code": "3252",
    "employees": 300,
    "revenue": 50000,
    "founded": 2012,
    "tags": ["高新技术企业", "专精特新"],
    "customers": "宁德时代",
    "patents": 25,
}


class ScoreRequest(BaseModel):
    """One firm profile; the same field names as the columns of a candidate file."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCORE_EXAMPLE]})

    name: Annotated[str, _text(200, min_length=1)] = Field(description="企业名称 / firm name")
    description: Annotated[str, _text(5000)] | None = Field(None, description="经营范围、主营产品 / business scope, main products")
    city: Annotated[str, _text(100)] | None = Field(None, description="所在城市 / city")
    country: Annotated[str, _text(100)] | None = Field(None, description="国家或地区 / country")
    industry_code: Annotated[str, StringConstraints(strict=True, max_length=16, pattern=r"^[A-Za-z]?[0-9]{0,6}$")] | None = Field(
        None, description="国民经济行业代码（文本，保留前导零，如 “0601”）/ GB/T 4754 code, as text"
    )
    employees: Annotated[float, _bounds("employees", strict=True)] | None = Field(None, description="员工人数 / employees")
    revenue: Annotated[float, _bounds("revenue", strict=True)] | None = Field(None, description="营业收入（万元）/ revenue, 10k CNY")
    founded: Annotated[int, _bounds("founded"), _JSON_INTEGER] | None = Field(None, description="成立年份 / year founded")
    tags: _ListText | Annotated[str, _text(2000)] | None = Field(None, description="资质标签（高新技术企业、专精特新…）/ tags")
    customers: _ListText | Annotated[str, _text(2000)] | None = Field(None, description="主要客户 / main customers")
    patents: Annotated[int, _bounds("patents"), _JSON_INTEGER] | None = Field(None, description="专利数 / patents")

    def profile(self) -> dict[str, object]:
        """The profile mapping the library takes (blank fields left out)."""
        return self.model_dump(exclude_none=True)


class ScoreBatchRequest(BaseModel):
    """Several firm profiles; at most the configured ``max_batch`` (the served schema states it)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"profiles": [SCORE_EXAMPLE]}]})

    profiles: list[ScoreRequest] = Field(min_length=1, max_length=BATCH_CEILING)


class _Carried(BaseModel):
    """A wire model of a library type: it reads the library's objects by attribute."""

    model_config = ConfigDict(from_attributes=True)


def _wire_type(hint: Any) -> Any:
    """The wire form of a library field's type: tuples as lists, a ``Factor`` as its object, ``object`` as any JSON value."""
    if hint is object:
        return Any
    if hint is Factor:
        return FactorOut
    origin, args = get_origin(hint), get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return GenericAlias(list, (_wire_type(args[0]),))
    if origin is dict:
        return GenericAlias(dict, (args[0], _wire_type(args[1])))
    return hint


def _library_fields(source: type) -> dict[str, tuple[Any, str | None]]:
    """Each field of a declared type (a pydantic model, a dataclass, a named tuple or a database
    table's ORM class): its type and description."""
    if hasattr(source, "__mapper__"):  # an ORM class: its mapped columns, in declaration order
        hints = get_type_hints(source)
        return {name: (get_args(hints[name])[0], None) for name in source.__annotations__ if get_origin(hints[name]) is Mapped}
    if isinstance(source, type) and issubclass(source, BaseModel):
        return {
            name: (Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation, f.description)  # constraints kept
            for name, f in source.model_fields.items()
        }
    declared = {f.name: f for f in dataclasses.fields(source)} if dataclasses.is_dataclass(source) else {}
    return {
        name: (hint, declared[name].metadata.get("description") if name in declared else None)
        for name, hint in get_type_hints(source).items()
    }


def wire_fields(
    source: type,
    *,
    keep: tuple[str, ...] | None = None,
    drop: tuple[str, ...] = (),
    rename: Mapping[str, str] | None = None,
    fields: Mapping[str, tuple[Any, Any]] | None = None,
    extra: Mapping[str, tuple[Any, Any]] | None = None,
) -> dict[str, Any]:
    """The wire fields of a library type (or a table's ORM class), in its order, for ``create_model``.

    Each field keeps its type (in wire form, :func:`_wire_type`) and its description; a wire
    field is required (the answer always holds it). ``keep`` picks the fields the wire shows
    (all by default), ``drop`` leaves some out; ``rename`` gives a field its wire name (read
    from either name); ``fields`` gives a field another wire type; ``extra`` adds fields the
    wire has beyond the library type, at the end.
    """
    library = _library_fields(source)
    own: dict[str, Any] = {}
    for field in keep if keep is not None else tuple(library):
        hint, description = library[field]
        if field in drop:
            continue
        if fields and field in fields:
            own[field] = fields[field]
            continue
        wire = (rename or {}).get(field, field)
        alias = AliasChoices(field, wire) if wire != field else None
        own[wire] = (_wire_type(hint), Field(description=description, validation_alias=alias))
    return {**own, **(extra or {})}


#: One feature's part of a landing likelihood: the fields of the library's ``Factor``, as an object.
FactorOut = create_model("FactorOut", __base__=_Carried, __doc__="One feature's part of a landing likelihood.", **wire_fields(Factor))


class _ScoreResponse(_Carried):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{
                "firm": "广东某铜箔科技有限公司", "score": 70.91, "chain_id": "new_energy_battery", "chain": "新能源电池",
                "link_id": "copper_foil", "link": "锂电铜箔", "action": "补链", "link_2_id": None, "link_2": None, "action_2": None, "park": "江门高新区", "confidence": 0.92,
                "components": {"chain_need": 36.8, "stage": 4.6, "maturity": 4.6, "relatedness": 4.6, "firm_strength": 6.31,
                               "origin": 9.4, "leader_supply": 0.0, "park_fit": 4.6, "green": 0.0},
                "reasons": ["补链：新能源电池·锂电铜箔（上游，本地缺失），依据“锂电铜箔”", "来自深圳（东岸）"],
                "errors": [], "likelihood": 0.2, "priority": 37.66, "likelihood_baseline": -1.3863, "likelihood_factors": [],
                "likelihood_reasons": ["先验（无训练模型）"],
                "map_version": "2026.11-3fa2c1d0", "model_version": "prior",
            }]
        }
    )

    @classmethod
    def from_result(cls, result: Result) -> Self:
        return cls.model_validate(result.as_dict())


#: The score of one firm: the fields of the library's ``Result``; components as name → points.
ScoreResponse = create_model(
    "ScoreResponse", __base__=_ScoreResponse, __doc__="The score of one firm, its parts, its reasons and the versions that produced it.",
    **wire_fields(Result, fields={"components": (dict[str, float], Field(description=f"points per component: {', '.join(COMPONENTS)}"))}),
)


class ScoreBatchResponse(BaseModel):
    results: list[ScoreResponse]
    map_version: str
    model_version: str


#: One input column of a ranked file: the fields of the library's ``ColumnUse``, its use in the asked language.
ColumnUseResponse = create_model(
    "ColumnUseResponse", __base__=_Carried,
    __doc__="One input column of a ranked file: the field it fed (empty: passed through) and how many values could not be read.",
    **wire_fields(ColumnUse, drop=("use_zh", "use_en"), extra={"use": (str, Field(description="what the column was used for"))}),
)

#: What ``/v1/rank`` did, when asked for JSON: the fields of the library's ``RankReport``.
RankReportResponse = create_model(
    "RankReportResponse", __base__=_Carried, __doc__="What ``/v1/rank`` did, when asked for JSON instead of the file.",
    **wire_fields(
        RankReport, drop=("shortlist", "top_bands"),
        fields={
            "top": (list[dict[str, Any]], Field(description="the best rows: the input columns and the output columns")),
            "coverage": (str | None, Field(description="the shortlist's coverage of the map's gaps, when a shortlist was asked for")),
            "columns": (list[ColumnUseResponse], Field(description="the column report: each input column and what it fed")),
        },
        extra={"map_version": (str, Field(description="the chain map's version"))},
    ),
)


class ErrorItem(BaseModel):
    """Where a problem is and what it is."""

    loc: list[str | int] = Field(description='e.g. ["body", "employees"] or ["query", "top"]')
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every error response: a code, a message, the problems and the request id."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "error": "invalid_request", "message": "请求参数无效 / the request is invalid",
        "detail": [{"loc": ["body", "employees"], "msg": "Input should be greater than or equal to 0", "type": "greater_than_equal"}],
        "request_id": "3f2c9d0e8a6b4c1d",
    }]})

    error: str
    message: str
    detail: list[ErrorItem] = Field(default_factory=list)
    request_id: str | None = None


#: A sentence of one of the map's source documents (checked on update): the map's own ``Quote``.
QuoteIn = Quote


#: A link with its local status and the need the score sees: the map's ``Link`` fields, and what the score derives.
LinkSummary = create_model(
    "LinkSummary", __base__=_Carried, __doc__="A link with its local status and the need the score sees.",
    **wire_fields(Link, keep=("id", "name", "stage", "status", "priority", "maturity", "role"), extra={
        "action": (str, Field(description="补链 | 强链 | 延链 | 建链")),
        "need": (float, Field(description="status (a named project as missing) × priority weight, 0–1")),
        "park_id": (str | None, Field()),
        "park": (Names | None, Field()),
    }),
)

#: A link with everything the map says about it: the summary and more of the map's ``Link`` fields.
LinkDetail = create_model(
    "LinkDetail", __base__=LinkSummary, __doc__="A link with everything the map says about it.",
    **wire_fields(Link, keep=("green", "heavy", "keywords", "industry_codes", "supplies", "parks", "status_quote", "priority_quote",
                                "project_quote")),
)

ChainSummary = create_model(
    "ChainSummary", __base__=_Carried,
    **wire_fields(Chain, keep=("id", "name", "group"), extra={
        "gaps": (int, Field(description="links whose status is missing or weak")),
        "links": (list[LinkSummary], Field()),
    }),
)

ChainDetail = create_model(
    "ChainDetail", __base__=_Carried,
    **wire_fields(Chain, keep=("id", "name", "group", "quote"), extra={"map_version": (str, Field()), "links": (list[LinkDetail], Field())}),
)


class ChainsResponse(BaseModel):
    map_id: str
    city: Names
    map_version: str
    chains: list[ChainSummary]


#: A park or platform: every field of the map's ``Park``.
ParkOut = create_model("ParkOut", __base__=_Carried, **wire_fields(Park))


class ParksResponse(BaseModel):
    map_version: str
    parks: list[ParkOut]


class LinkUpdateRequest(BaseModel):
    """A change of one link: its status and/or priority, with the quotes they rest on."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "present", "note": "某铜箔项目已签约落地"}]},
    )

    status: Status | None = None
    priority: Priority | None = None
    status_quote: QuoteIn | None = Field(None, description="the sentence of a source document the new status rests on")
    priority_quote: QuoteIn | None = Field(None, description="required by the map when priority is not 'normal'")
    note: Annotated[str, StringConstraints(strict=True, max_length=500)] | None = Field(None, description="why, for the audit log")

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_none=True, exclude={"note"})


class _LinkUpdateResponse(_Carried):
    @classmethod
    def from_change(cls, change: LinkChange, *, audit_id: int | None) -> Self:
        return cls.model_validate({**{f.name: getattr(change, f.name) for f in dataclasses.fields(change)}, "audit_id": audit_id})


#: What a link update did: the library's ``LinkChange`` without the backup path and the map
#: itself, the map's new version as ``map_version``, and the audit entry's id.
LinkUpdateResponse = create_model(
    "LinkUpdateResponse", __base__=_LinkUpdateResponse, __doc__="What a change of one link did, and its audit entry.",
    **wire_fields(LinkChange, drop=("backup", "chain_map"), rename={"map_version_after": "map_version"}, extra={"audit_id": (int | None, Field())}),
)


#: One audit-log entry: the fields of the library's ``AuditEntry`` (read from it with ``from_attributes``).
AuditEntryOut = create_model("AuditEntryOut", __base__=_Carried, **wire_fields(AuditEntry))


class AuditResponse(BaseModel):
    entries: list[AuditEntryOut]


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    ready: bool
    map: str = Field(description="'loaded' or why not")
    map_version: str | None = None
    model: str = Field(description="'loaded' or why not")
    model_version: str | None = None


class VersionResponse(BaseModel):
    service: str
    version: str
    map_id: str | None
    map_version: str | None
    model_version: str | None


class ModelReloadResponse(BaseModel):
    model_version_before: str
    model_version: str
    changed: bool
    audit_id: int | None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error answers (all in :class:`ErrorResponse` form)."""
    texts = {401: "not signed in and no API key", 403: "a weaker role, a wrong key or a missing CSRF token", 404: "not found",
             409: "a conflict (a duplicate, or a stale version)", 415: "unsupported file type", 429: "too many failed sign-ins; wait",
             503: "the map is not loaded"}
    return {code: {"model": ErrorResponse, "description": texts[code]} for code in codes}
