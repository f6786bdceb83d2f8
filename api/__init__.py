"""The REST service of the recommender (FastAPI): ``uvicorn api.main:app`` or ``recommender serve``.

``from api import create_app`` builds an app; importing ``api`` alone builds nothing.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from .main import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")
