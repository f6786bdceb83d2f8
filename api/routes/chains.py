"""GET /v1/chains, /v1/chains/{chain_id}, /v1/parks: the map as the score sees it."""

from __future__ import annotations

import weakref
from typing import Any

from fastapi import APIRouter, Path

from recommender import Recommender
from recommender.chainmap import GAP_STATUSES

from ..deps import RecommenderDep
from ..errors import ApiError
from ..schemas import (
    ChainDetail,
    ChainsResponse,
    ChainSummary,
    ErrorItem,
    ErrorResponse,
    LinkDetail,
    LinkSummary,
    Names,
    ParkOut,
    ParksResponse,
)

router = APIRouter(tags=["chains"])

_NOT_READY: dict[int | str, dict[str, Any]] = {503: {"model": ErrorResponse, "description": "the map is not loaded"}}


def _summaries(recommender: Recommender) -> dict[str, LinkSummary]:
    chain_map = recommender.chain_map
    table = recommender.scorer.links  # the link feature table the score uses (encode_links)
    out: dict[str, LinkSummary] = {}
    for link_id, row in zip(table.index, table.to_dict("records"), strict=True):
        link = chain_map.link_by_id[link_id]
        park_id = row["park_id"] or None
        out[link_id] = LinkSummary.model_validate({
            **dict(link), "action": row["action"], "need": round(float(row["need"]), 4),
            "park_id": park_id, "park": Names(zh=row["park_zh"], en=row["park_en"]) if park_id else None,
        })
    return out


_VIEWS: weakref.WeakKeyDictionary[Recommender, dict[str, LinkSummary]] = weakref.WeakKeyDictionary()


def _views(recommender: Recommender) -> dict[str, LinkSummary]:
    """The link summaries of a Recommender's map, computed once per Recommender (a map update makes a new one)."""
    views = _VIEWS.get(recommender)
    if views is None:
        views = _VIEWS[recommender] = _summaries(recommender)
    return views


@router.get("/chains", response_model=ChainsResponse, responses=_NOT_READY, summary="The chains and their links / 产业链图谱")
def list_chains(recommender: RecommenderDep) -> ChainsResponse:
    """Every chain with each link's status, priority, action (补链/强链/延链/建链) and need."""
    chain_map = recommender.chain_map
    views = _views(recommender)
    return ChainsResponse(
        map_id=chain_map.id,
        city=chain_map.manifest.city,
        map_version=chain_map.version,
        chains=[
            ChainSummary.model_validate(
                {**dict(c), "gaps": sum(link.status in GAP_STATUSES for link in c.links), "links": [views[link.id] for link in c.links]}
            )
            for c in chain_map.chains
        ],
    )


@router.get(
    "/chains/{chain_id}",
    response_model=ChainDetail,
    responses={404: {"model": ErrorResponse, "description": "no such chain"}, **_NOT_READY},
    summary="One chain in full / 单条产业链",
)
def get_chain(recommender: RecommenderDep, chain_id: str = Path(max_length=64, description="e.g. new_energy_battery")) -> ChainDetail:
    """A chain with everything the map says about each link, and the quotes it rests on."""
    chain_map = recommender.chain_map
    chain = chain_map.chain_by_id.get(chain_id)
    if chain is None:
        raise ApiError(404, "未找到该产业链 / no such chain", detail=[ErrorItem(loc=["path", "chain_id"], msg=f"unknown chain {chain_id!r}", type="not_found")])
    views = _views(recommender)
    links = [LinkDetail.model_validate({**dict(link), **dict(views[link.id])}) for link in chain.links]
    return ChainDetail.model_validate({**dict(chain), "map_version": chain_map.version, "links": links})


@router.get("/parks", response_model=ParksResponse, responses=_NOT_READY, summary="Parks and platforms / 园区平台")
def list_parks(recommender: RecommenderDep) -> ParksResponse:
    """The parks that host links, what they specialise in and whether they exclude heavy industry."""
    chain_map = recommender.chain_map
    return ParksResponse(
        map_version=chain_map.version,
        parks=[ParkOut.model_validate(park) for park in chain_map.parks],
    )
