"""POST /v1/score and /v1/score/batch: firm profiles in, explained scores out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic_core import to_json

from recommender import Recommender

from ..batching import ScoreBatcher
from ..deps import RecommenderDep, SettingsDep
from ..errors import ApiError
from ..schemas import ErrorItem, ErrorResponse, Lang, ScoreBatchRequest, ScoreBatchResponse, ScoreRequest, ScoreResponse

router = APIRouter(tags=["score"])

LangQuery = Annotated[Lang, Query(description="语言 / language of names and reasons")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorResponse, "description": "body over the limit (RECOMMENDER_MAX_BODY_BYTES)"},
    422: {"model": ErrorResponse, "description": "a field is missing, unknown, of the wrong type or out of range"},
    503: {"model": ErrorResponse, "description": "the map is not loaded"},
}


@router.post("/score", response_model=ScoreResponse, responses=_ERRORS, summary="Score one firm profile / 单个企业评分")
async def score(request: Request, body: ScoreRequest, recommender: RecommenderDep, lang: LangQuery = "zh") -> Response:
    """Score a firm against the chain map: the best link, its action, the park, the reasons.

    The same code as ``recommender score``: a firm gets the same score either way.
    """
    content = await score_json(request.app.state.batcher, recommender, body.profile(), lang)
    return Response(content, media_type="application/json")


async def score_json(batcher: ScoreBatcher | None, recommender: Recommender, profile: dict[str, object], lang: str) -> bytes:
    """The JSON body of ``POST /v1/score`` for one profile (the route and :mod:`api.fastpath` both answer with it)."""
    if batcher is not None:  # scored together with concurrent requests (see api.batching)
        result = await batcher.score(recommender, profile, lang=lang)
    else:  # on the event loop: no thread hop, for a fast library (a slow score delays this worker's other requests)
        result = recommender.score(profile, lang=lang)
    # Serialised by pydantic-core from the result's dict, not validated on the way: the same
    # bytes as ScoreResponse.from_result(result).model_dump_json() (tested), for half the time.
    return to_json(result.as_dict())


@router.post("/score/batch", response_model=ScoreBatchResponse, responses=_ERRORS, summary="Score several profiles / 批量评分")
def score_batch(body: ScoreBatchRequest, recommender: RecommenderDep, settings: SettingsDep, lang: LangQuery = "zh") -> Response:
    """Score up to ``RECOMMENDER_MAX_BATCH`` profiles in one pass (422 above); results in request order."""
    if len(body.profiles) > settings.max_batch:
        item = ErrorItem(loc=["body", "profiles"], msg=f"List should have at most {settings.max_batch} items after validation, not {len(body.profiles)}", type="too_long")
        raise ApiError(422, f"批量过大 / more than {settings.max_batch} profiles", detail=[item], code="invalid_request")
    results = recommender.score_many([p.profile() for p in body.profiles], lang=lang)
    # the bytes of ScoreBatchResponse, serialised without validating each result again (as score_json)
    content = to_json({"results": [r.as_dict() for r in results], "map_version": recommender.map_version, "model_version": recommender.model_version})
    return Response(content, media_type="application/json")
