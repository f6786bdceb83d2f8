"""Wire models: what the service accepts and returns (named by direction).

Requests forbid unknown fields and use strict types where coercion would hide a mistake (a
number sent as text, a code sent as a number, ``true`` as a count). Responses are built from
the library's results in one line each (``ScoreResponse.from_result``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_type_hints

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, create_model
from pydantic_core import PydanticCustomError

from recommender import COMPONENTS, Result
from recommender.chainmap import AuditEntry, Names, Priority, Quote, Status
from recommender.likelihood import Factor
from recommender.scoring import NUMERIC_BOUNDS

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


#: One feature's part of a landing likelihood: the fields of the library's ``Factor``, as an object.
_FACTOR_FIELDS: dict[str, Any] = {name: (kind, ...) for name, kind in get_type_hints(Factor).items()}
FactorOut = create_model("FactorOut", __doc__="One feature's part of a landing likelihood.", **_FACTOR_FIELDS)


class ScoreResponse(BaseModel):
    """The score of one firm, its parts, its reasons and the versions that produced it."""

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

    firm: str
    score: float = Field(description="0–100, the sum of the components")
    chain_id: str | None
    chain: str | None
    link_id: str | None
    link: str | None
    action: str | None = Field(description="补链 | 强链 | 延链 | 建链")
    link_2_id: str | None = Field(None, description="a second business's link, where the firm has one")
    link_2: str | None = None
    action_2: str | None = None
    park: str | None
    confidence: float
    components: dict[str, float] = Field(description=f"points per component: {', '.join(COMPONENTS)}")
    reasons: list[str]
    errors: list[str]
    likelihood: float | None = Field(None, description="0–1: how likely the firm is to land, from the landing model (or the prior)")
    priority: float | None = Field(None, description="0–100: 100 × √(score/100 × likelihood); orders rankings")
    likelihood_baseline: float | None = Field(None, description="log-odds; logit(likelihood) = baseline + Σ factors' log_odds")
    likelihood_factors: list[FactorOut] = Field(default_factory=list, description="each feature's part of the likelihood, largest first; empty under the prior")
    likelihood_reasons: list[str] = Field(
        default_factory=list, description="the three parts that move the likelihood most, as officers read them (as in ranked files)"
    )
    map_version: str
    model_version: str = Field(description="the landing model's name/version, or 'prior'")

    @classmethod
    def from_result(cls, result: Result) -> ScoreResponse:
        return cls.model_validate(result.as_dict())


class ScoreBatchResponse(BaseModel):
    results: list[ScoreResponse]
    map_version: str
    model_version: str


class ColumnUseResponse(BaseModel):
    """One input column of a ranked file: the field it fed (empty: passed through) and how many values could not be read."""

    column: str
    field: str
    use: str
    unreadable: int


class RankReportResponse(BaseModel):
    """What ``/v1/rank`` did, when asked for JSON instead of the file."""

    rows: int
    bad_rows: int
    matched_rows: int
    map_version: str
    model_version: str = Field("prior", description="the landing model that produced the rows, or 'prior'")
    top: list[dict[str, Any]] = Field(description="the best rows: the input columns and the output columns")
    coverage: str | None = Field(description="the shortlist's coverage of the map's gaps, when a shortlist was asked for")
    header_rows: list[int] = Field(default_factory=list, description="the file's rows (1-based) that made the header")
    inactive_rows: int = Field(0, description="firms whose registration status says they are not active (ranked after active firms)")
    not_firm_rows: int = Field(0, description="totals, notes and blank rows (kept, ranked last)")
    duplicate_rows: int = Field(0, description="later copies of a firm (same credit code or name), ranked after the first")
    columns: list[ColumnUseResponse] = Field(default_factory=list, description="the column report: each input column and what it fed")


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


class LinkSummary(BaseModel):
    """A link with its local status and the need the score sees."""

    id: str
    name: Names
    stage: str
    status: str
    priority: str
    maturity: str
    role: str
    action: str = Field(description="补链 | 强链 | 延链 | 建链")
    need: float = Field(description="status × priority weight, 0–1")
    park_id: str | None
    park: Names | None


class LinkDetail(LinkSummary):
    """A link with everything the map says about it."""

    green: bool
    heavy: bool
    keywords: dict[str, list[str]]
    industry_codes: list[str]
    supplies: list[str]
    parks: list[str]
    status_quote: dict[str, str]
    priority_quote: dict[str, str] | None


class ChainSummary(BaseModel):
    id: str
    name: Names
    group: str
    gaps: int = Field(description="links whose status is missing or weak")
    links: list[LinkSummary]


class ChainDetail(BaseModel):
    id: str
    name: Names
    group: str
    quote: dict[str, str]
    map_version: str
    links: list[LinkDetail]


class ChainsResponse(BaseModel):
    map_id: str
    city: Names
    map_version: str
    chains: list[ChainSummary]


class ParkOut(BaseModel):
    id: str
    name: Names
    district: str | None
    specialises: list[str]
    excludes_heavy_industry: bool
    quote: dict[str, str]


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


class LinkUpdateResponse(BaseModel):
    chain_id: str
    link_id: str
    changed: bool
    before: dict[str, Any]
    after: dict[str, Any]
    map_version_before: str
    map_version: str
    audit_id: int | None


_AUDIT_DESCRIPTIONS = {
    "at": "UTC, ISO 8601", "actor": "the name of the API key used", "action": "update_link | reload_model",
}
#: One audit-log entry: the fields of the library's ``AuditEntry`` (read from it with ``from_attributes``).
_AUDIT_FIELDS: dict[str, Any] = {
    name: (Any if kind is object else kind, Field(description=_AUDIT_DESCRIPTIONS.get(name)))
    for name, kind in get_type_hints(AuditEntry, include_extras=True).items()
}
AuditEntryOut = create_model("AuditEntryOut", __config__=ConfigDict(from_attributes=True), **_AUDIT_FIELDS)


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
