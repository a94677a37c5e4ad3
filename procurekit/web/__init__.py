"""`procurekit serve`: a web workspace on the contract ledger for contract managers and procurement officers.

    from procurekit.web import create_app
    app = create_app("procurekit.db")   # a Starlette (ASGI) app; run it with uvicorn
"""

from __future__ import annotations

from .app import create_app
from .security import is_loopback

__all__ = ["create_app", "is_loopback"]
