"""Permission-matrix declarations shared by every app's ``tests/matrix.py``.

An app adds rows to the matrix (``core/tests/test_permission_matrix.py``) by defining, in
``netbill/<app>/tests/matrix.py``, a list ``ACTIONS`` of :class:`Action` and optionally
``setup(ctx)`` that creates the objects its actions need in ``ctx.extra``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from netbill.core.models import OutboxMessage
from netbill.customers.models import Customer


@dataclass
class Ctx:
    world: object
    customer: Customer  # active, owned by the operator
    suspended: Customer  # suspended, owned by the operator
    dead: OutboxMessage
    extra: dict = field(default_factory=dict)  # objects a module's setup(ctx) adds


@dataclass
class Action:
    key: str
    name: str
    surface: str  # "panel" or "api"
    method: str
    url: Callable[[Ctx], str]
    data: Callable[[Ctx], dict] = field(default=lambda c: {})
    effect: Callable[[Ctx], bool] | None = None  # None: a read; success is the 200
    subject: str = "manager"  # manager | operator | sales | noc | admin_only
    base_keys: tuple[str, ...] = ()
