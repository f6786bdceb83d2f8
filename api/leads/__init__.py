"""The lead pipeline (线索管理): data functions for pages, routes and the command line.

Each takes an open SQLAlchemy ``Session`` and the actor's name; see :mod:`.service` (create,
list, update with a version check, history), :mod:`.sheets` (XLSX export, import, ranked rows)
and :mod:`.training` (outcomes → a candidate landing model → promotion).
"""

from .service import (
    EDITABLE,
    SCORE_FIELDS,
    LeadError,
    LeadExists,
    LeadNotFound,
    NewLead,
    StageMoveError,
    StaleLead,
    create_lead,
    get_lead,
    lead_dict,
    lead_history,
    list_leads,
    update_lead,
)
from .stages import STAGES, allowed_moves, firm_key, normalise_name, parse_stage

__all__ = [
    "EDITABLE", "SCORE_FIELDS", "STAGES", "LeadError", "LeadExists", "LeadNotFound", "NewLead", "StageMoveError", "StaleLead", "allowed_moves", "create_lead",
    "firm_key", "get_lead", "lead_dict", "lead_history", "list_leads", "normalise_name", "parse_stage", "update_lead",
]
