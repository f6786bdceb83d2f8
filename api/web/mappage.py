"""The chain map page (with link edits), the audit view and the one-firm score form.

A link edit goes through the admin route's own function (:func:`api.routes.admin.patch_link`):
the admin role (a signed-in admin, or an admin API key typed in the form), validation against the whole map, atomic write, history and audit entry.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from recommender import STAGES, STATUSES
from recommender.scoring import profile_records

from ..auth import has_role
from ..db.audit import DbAuditLog
from ..errors import ApiError
from ..routes.admin import patch_link
from ..routes.chains import _views
from ..schemas import LinkUpdateRequest, ScoreRequest
from .access import refusal, with_key
from .firm import bars_svg, firm_view
from .graph import Node, chain_svg
from .i18n import Translator
from .render import LangQuery, lang_of, recommender_of, render

router = APIRouter(include_in_schema=False)

PRIORITIES = ("key_target", "target", "normal")
_GAPS = ("missing", "weak")
_SCORE_FIELDS = ("name", "description", "city", "country", "industry_code", "employees", "revenue", "founded", "tags", "customers", "patents")
_FLOATS, _INTS = ("employees", "revenue"), ("founded", "patents")


def _graph(chain, name: dict[str, str], chain_of: dict[str, str], t: Translator) -> str:
    """The chain's links by stage with arrows for its supply edges (those into other chains too)."""
    stages = [stage for stage in STAGES if any(link.stage == stage for link in chain.links)]
    own = {link.id for link in chain.links}
    nodes = [Node(link.id, name[link.id], link.stage, link.status, link.priority == "key_target",
                  f"{name[link.id]} · {t(link.status)} · {t(link.priority)}") for stage in stages for link in chain.links if link.stage == stage]
    outside = list(dict.fromkeys(s for link in chain.links for s in link.supplies if s not in own))
    nodes += [Node(s, f"{chain_of.get(s, '')} · {name.get(s, s)}", "other", title=f"{chain_of.get(s, '')} · {name.get(s, s)}") for s in outside]
    columns = [(stage, t(stage)) for stage in stages] + ([("other", t("other_chains"))] if outside else [])
    edges = [(link.id, s) for link in chain.links for s in link.supplies]
    chain_name = chain.name.en if t.lang == "en" else chain.name.zh
    return chain_svg(chain.id, columns, nodes, edges, t("supply_graph", chain=chain_name, n=len(edges)))


def _map_view(recommender, lang: str) -> dict:
    chain_map = recommender.chain_map
    views = {link_id: view.model_dump() for link_id, view in _views(recommender).items()}  # as GET /v1/chains answers
    en = lang == "en"
    t = Translator(lang)
    name = {link.id: (link.name.en if en else link.name.zh) for chain in chain_map.chains for link in chain.links}
    chain_of = {link.id: (chain.name.en if en else chain.name.zh) for chain in chain_map.chains for link in chain.links}
    chains, gaps_total, links_total = [], 0, 0
    for chain in chain_map.chains:
        stages = []
        for stage in STAGES:
            links = [{
                "id": link.id, "name": name[link.id], "status": link.status, "priority": link.priority,
                "action": views[link.id]["action"], "need": views[link.id]["need"], "quote": link.status_quote.text, "doc": link.status_quote.doc,
                "priority_quote": link.priority_quote.text if link.priority_quote else "",
                "keywords": (link.keywords.en if en else link.keywords.zh) or link.keywords.zh,
                "supplies": [name.get(s, s) for s in link.supplies],
            } for link in chain.links if link.stage == stage]
            if links:
                stages.append((stage, links))
        counts = {status: sum(link.status == status for link in chain.links) for status in STATUSES}
        gaps = counts["missing"] + counts["weak"]
        gaps_total += gaps
        links_total += len(chain.links)
        edges = [(name[link.id], name.get(s, s)) for link in chain.links for s in link.supplies]
        chains.append({"id": chain.id, "name": chain.name.en if en else chain.name.zh, "stages": stages, "counts": counts,
                       "gaps": gaps, "edges": edges, "links": [(link.id, name[link.id]) for link in chain.links],
                       "graph": Markup(_graph(chain, name, chain_of, t))})
    summary = sorted(chains, key=lambda c: (-c["gaps"], c["name"]))
    return {"chains": chains, "summary": summary, "gaps_total": gaps_total, "links_total": links_total,
            "map_version": chain_map.version, "statuses": STATUSES, "priorities": PRIORITIES}


async def _map_page(request: Request, lang: str | None, notice: tuple | None = None, status_code: int = 200) -> Response:
    recommender = await recommender_of(request)
    if recommender is None:
        return render(request, "message.html", lang, {"message": "not_ready"}, status_code=503)
    editable = request.app.state.settings.map_dir is not None
    view = _map_view(recommender, lang_of(request, lang))
    return render(request, "map.html", lang, {"map": view, "notice": notice, "editable": editable}, status_code=status_code)


@router.get("/map")
async def map_page(request: Request, lang: LangQuery = None) -> Response:
    return await _map_page(request, lang)


def _api_message(exc: ApiError) -> str:
    details = "; ".join(f"{'/'.join(map(str, item.loc))}: {item.msg}" for item in exc.items)
    return f"{exc.message}" + (f" ({details})" if details else "")


@router.post("/map/links")
async def edit_link(
    request: Request,
    link: Annotated[str, Form(max_length=140)],
    note: Annotated[str, Form(max_length=2000)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    priority: Annotated[str, Form(max_length=20)] = "",
    api_key: Annotated[str, Form(max_length=500)] = "",
    lang: LangQuery = None,
) -> Response:
    if not note.strip():
        return await _map_page(request, lang, ("error", "note_required", {}), status_code=422)
    chain_id, _, link_id = link.partition("/")
    settings = request.app.state.settings
    try:
        actor = await run_in_threadpool(with_key, request, api_key)
        if actor is None or not has_role(actor, "admin"):
            return await refusal(request, lang, "admin", actor) or Response(status_code=403)
        body = LinkUpdateRequest(status=status or None, priority=priority or None, note=note.strip())
        change = await run_in_threadpool(
            patch_link, chain_id, link_id, body, actor.name, request, settings, request.app.state.store, DbAuditLog(request.app.state.db),
        )
    except ApiError as exc:
        return await _map_page(request, lang, ("error", "raw", {"text": _api_message(exc)}), status_code=exc.status_code)
    except ValidationError as exc:
        text = "; ".join(f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return await _map_page(request, lang, ("error", "raw", {"text": text}), status_code=422)
    answer = change.model_dump()  # what PATCH /v1/chains/…/links/… answers
    if not answer["changed"]:
        return await _map_page(request, lang, ("ok", "no_change", {}))
    before = ", ".join(f"{k}={v}" for k, v in answer["before"].items())
    after = ", ".join(f"{k}={v}" for k, v in answer["after"].items())
    return await _map_page(request, lang, ("ok", "saved", {"link": f"{chain_id} · {link_id}", "before": before, "after": after}))


async def _audit_page(request: Request, lang: str | None, api_key: str) -> Response:
    entries, error, status_code = None, None, 200
    try:
        actor = await run_in_threadpool(with_key, request, api_key)
        if has_role(actor, "admin"):
            entries = await run_in_threadpool(DbAuditLog(request.app.state.db).entries, limit=200)
        elif actor is not None:
            error, status_code = f"{actor.name}: {Translator(lang_of(request, lang))('needs_role', role='admin', have=actor.role)}", 403
    except ApiError as exc:
        error, status_code = _api_message(exc), exc.status_code
    return render(request, "audit.html", lang, {"entries": entries, "error": error}, status_code=status_code)


@router.get("/audit")
async def audit_form(request: Request, lang: LangQuery = None) -> Response:
    return await _audit_page(request, lang, "")


@router.post("/audit")
async def audit_view(request: Request, api_key: Annotated[str, Form(max_length=500)] = "", lang: LangQuery = None) -> Response:
    return await _audit_page(request, lang, api_key)


@router.get("/score")
async def score_form(request: Request, lang: LangQuery = None) -> Response:
    return render(request, "score.html", lang, {"form": {}, "errors": [], "view": None})


def _profile(form: dict[str, str]) -> ScoreRequest:
    """The form as the same request model POST /v1/score validates (numbers from their text)."""
    data: dict[str, object] = {}
    for field in _SCORE_FIELDS:
        text = form.get(field, "").strip()
        if not text:
            continue
        if field in _FLOATS or field in _INTS:
            try:
                number = float(text.replace(",", ""))
                data[field] = int(number) if field in _INTS and number.is_integer() else number
            except ValueError:
                data[field] = text  # refused by the model with its own message
        else:
            data[field] = text
    return ScoreRequest(**data)


@router.post("/score")
async def score_submit(request: Request, lang: LangQuery = None) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k in _SCORE_FIELDS}
    try:
        body = _profile(form)
    except ValidationError as exc:
        errors = [f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return render(request, "score.html", lang, {"form": form, "errors": errors, "view": None}, status_code=422)
    recommender = await recommender_of(request)
    if recommender is None:
        return render(request, "message.html", lang, {"message": "not_ready"}, status_code=503)
    # the profile as Recommender.score reads it: the same answer as POST /v1/score
    view = await run_in_threadpool(firm_view, recommender, profile_records([body.profile()]), lang_of(request, lang))
    return render(request, "score.html", lang, {"form": form, "errors": [], "view": view, "bars": bars_svg(view["components"])})
