"""The RADIUS rows of a customer, computed from netbill's state and written in the caller's
transaction.

:func:`desired_rows` is the single statement of what FreeRADIUS must answer for a customer
(see docs/network.md); :func:`sync_customer` makes ``radcheck``/``radreply`` match it and is
called by every customer service (create, edit, status, package change, delete) inside its
transaction, so the credentials can never disagree with the customer.  :func:`reconcile`
compares every customer of a tenant with the tables and repairs drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, Value
from django.utils.translation import gettext as _

from netbill.customers.choices import ConnectionType, CustomerStatus
from netbill.network.models import IpPool
from netbill.radius.models import RadCheck, RadReply

Row = tuple[str, str, str]  # (attribute, op, value)


def rate(kbps: int | None) -> str:
    """MikroTik rate notation: 10000 -> 10M, 512 -> 512k, 1500 -> 1500k."""
    if not kbps:
        return "0"
    if kbps % 1000 == 0:
        return f"{kbps // 1000}M"
    return f"{kbps}k"


def rate_limit(upload_kbps: int | None, download_kbps: int | None) -> str:
    """``Mikrotik-Rate-Limit``: rx/tx from the router's side, i.e. upload/download."""
    return f"{rate(upload_kbps)}/{rate(download_kbps)}"


def normalise_mac(mac: str) -> str:
    digits = "".join(ch for ch in mac.upper() if ch in "0123456789ABCDEF")
    if len(digits) != 12:
        return mac.upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def uses_radius(customer) -> bool:
    return customer.connection_type != ConnectionType.OTHER


def desired_rows(customer) -> tuple[list[Row], list[Row]]:
    """(check rows, reply rows) for ``customer``; both empty when it has no RADIUS login."""
    if not uses_radius(customer):
        return [], []
    if customer.deleted_at is not None:
        return (
            [("Auth-Type", ":=", "Reject")],
            [("Reply-Message", ":=", _("This account has been closed."))],
        )
    if customer.status == CustomerStatus.DISABLED:
        return (
            [("Auth-Type", ":=", "Reject")],
            [("Reply-Message", ":=", _("This account is disabled. Please contact your ISP."))],
        )
    check: list[Row] = [
        ("Cleartext-Password", ":=", customer.password),
        ("Simultaneous-Use", ":=", str(customer.simultaneous_use or 1)),
    ]
    if customer.mac_binding and customer.mac_address:
        check.append(("Calling-Station-Id", "==", normalise_mac(customer.mac_address)))
    package = customer.package
    reply: list[Row] = []
    if customer.status == CustomerStatus.SUSPENDED:
        reply.append(
            ("Mikrotik-Rate-Limit", ":=", rate_limit(package.upload_kbps, package.download_kbps))
        )
        reply.append(("Framed-Pool", ":=", IpPool.SUSPENDED_NAME))
        reply.append(("Mikrotik-Address-List", ":=", IpPool.SUSPENDED_ADDRESS_LIST))
        return check, reply
    if customer.expires_at is not None and customer.connection_type == ConnectionType.HOTSPOT:
        # A hotspot purchase ends at its validity: FreeRADIUS's ``expiration`` module caps
        # Session-Timeout before it and rejects after it.  PPPoE and static customers get
        # no Expiration: their billing moves on by the daily run and the dunning sweep
        # suspends them into the suspended pool (an Expiration would cut every session at
        # each period end, minutes before the run extends it).
        check.append(("Expiration", ":=", str(int(customer.expires_at.timestamp()))))
    in_fup = customer.status == CustomerStatus.FUP
    if in_fup and package.fup_download_kbps and package.fup_upload_kbps:
        speed = rate_limit(package.fup_upload_kbps, package.fup_download_kbps)
    else:
        speed = rate_limit(package.upload_kbps, package.download_kbps)
    reply.append(("Mikrotik-Rate-Limit", ":=", speed))
    profile = package.pppoe_profile if package.pppoe_profile_id else None
    if customer.static_ip:
        reply.append(("Framed-IP-Address", ":=", str(customer.static_ip)))
    else:
        pool = None
        if in_fup and package.fup_pool_id:
            pool = package.fup_pool
        elif profile is not None and profile.pool_v4_id:
            pool = profile.pool_v4
        if pool is not None:
            reply.append(("Framed-Pool", ":=", pool.name))
    if profile is not None and profile.pool_v6_id:
        reply.append(("Framed-IPv6-Pool", ":=", profile.pool_v6.name))
    return check, reply


def _existing(customer) -> list[tuple]:
    """Every row that concerns ``customer`` in both tables, in one query:
    (table, customer_id, username, attribute, op, value), in id order per table."""
    where = Q(customer_id=customer.pk) | Q(tenant_id=customer.tenant_id, username=customer.username)
    fields = ("customer_id", "username", "attribute", "op", "value", "id")
    check = RadCheck.objects.filter(where).annotate(t=Value("c")).values_list("t", *fields)
    reply = RadReply.objects.filter(where).annotate(t=Value("r")).values_list("t", *fields)
    return sorted(check.union(reply, all=True), key=lambda row: (row[0], row[-1]))


def _username_taken(customer) -> bool:
    """A deleted customer whose username an alive customer has taken gets no rows."""
    from netbill.customers.models import Customer

    return (
        customer.deleted_at is not None
        and Customer.objects.filter(
            tenant_id=customer.tenant_id, username=customer.username, deleted_at__isnull=True
        ).exists()
    )


def sync_customer(customer) -> bool:
    """Make the RADIUS rows match ``customer``; return whether anything was written.

    One read of both tables, and writes only when something differs (two deletes and up to
    two inserts): this runs inside every customer change.
    """
    check, reply = ([], []) if _username_taken(customer) else desired_rows(customer)
    alive = customer.deleted_at is None
    rows = _existing(customer)
    mine = {"c": [], "r": []}
    foreign = False  # rows of another (deleted) customer under this username
    renamed = False  # rows of this customer under an old username
    for table, cid, username, a, o, v, _id in rows:
        if cid == customer.pk:
            mine[table].append((a, o, v))
            renamed = renamed or username != customer.username
        else:
            foreign = True
    if not (foreign and alive) and not renamed and mine["c"] == check and mine["r"] == reply:
        return False
    scope = Q(customer_id=customer.pk)
    if alive:
        scope |= Q(tenant_id=customer.tenant_id, username=customer.username)
    with transaction.atomic(savepoint=False):
        RadCheck.objects.filter(scope).delete()
        RadReply.objects.filter(scope).delete()
        common = {
            "tenant_id": customer.tenant_id,
            "customer_id": customer.pk,
            "username": customer.username,
        }
        if check:
            RadCheck.objects.bulk_create(
                [RadCheck(attribute=a, op=o, value=v, **common) for a, o, v in check]
            )
        if reply:
            RadReply.objects.bulk_create(
                [RadReply(attribute=a, op=o, value=v, **common) for a, o, v in reply]
            )
    return True


@dataclass
class ReconcileReport:
    checked: int = 0
    repaired: list[str] = field(default_factory=list)  # usernames rewritten
    removed: int = 0  # orphan rows of customers that no longer exist

    def as_dict(self) -> dict:
        return {"checked": self.checked, "repaired": self.repaired, "removed": self.removed}


def reconcile(tenant_id: int, *, dry_run: bool = False) -> ReconcileReport:
    """Compare every customer of a tenant with the RADIUS tables and repair drift."""
    from netbill.customers.models import Customer

    report = ReconcileReport()
    customers = (
        Customer.objects.filter(tenant_id=tenant_id)
        .select_related("package__pppoe_profile__pool_v4", "package__pppoe_profile__pool_v6")
        .select_related("package__fup_pool")
        .order_by("deleted_at", "pk")
    )
    # Deleted customers first (NULLs sort last), so an alive customer's rows are written last.
    actual_check: dict[int, list[Row]] = {}
    actual_reply: dict[int, list[Row]] = {}
    users: dict[int, set[str]] = {}
    for model, target in ((RadCheck, actual_check), (RadReply, actual_reply)):
        for cid, user, a, o, v in (
            model.objects.filter(tenant_id=tenant_id)
            .order_by("id")
            .values_list("customer_id", "username", "attribute", "op", "value")
        ):
            target.setdefault(cid, []).append((a, o, v))
            users.setdefault(cid, set()).add(user)
    alive_users = set(
        Customer.objects.filter(tenant_id=tenant_id, deleted_at__isnull=True).values_list(
            "username", flat=True
        )
    )
    seen: set[int] = set()
    for customer in customers.iterator(chunk_size=2000):
        report.checked += 1
        seen.add(customer.pk)
        if customer.deleted_at is not None and customer.username in alive_users:
            check, reply = [], []
        else:
            check, reply = desired_rows(customer)
        if (
            actual_check.get(customer.pk, []) == check
            and actual_reply.get(customer.pk, []) == reply
            and users.get(customer.pk, {customer.username}) <= {customer.username}
        ):
            continue
        report.repaired.append(customer.username)
        if not dry_run:
            sync_customer(customer)
    orphans = [cid for cid in set(actual_check) | set(actual_reply) if cid not in seen]
    if orphans:
        report.removed = len(orphans)
        if not dry_run:
            RadCheck.objects.filter(tenant_id=tenant_id, customer_id__in=orphans).delete()
            RadReply.objects.filter(tenant_id=tenant_id, customer_id__in=orphans).delete()
    return report


def refresh_expiration(customer_ids) -> None:
    """Bring the ``Expiration`` rows of many customers in line with ``expires_at``, set-based
    (the billing run extends validity for thousands of customers in one statement).

    Only customers whose rows carry an expiry (hotspot logins, active or FUP) are touched.
    """
    from django.db import connection

    from netbill.customers.models import Customer

    ids = list(customer_ids)
    if not ids:
        return
    if connection.vendor != "postgresql":  # the SQLite demo: one customer at a time
        for customer in Customer.objects.filter(pk__in=ids):
            sync_customer(customer)
        return
    assert Customer._meta.db_table == "customers_customer"
    with connection.cursor() as cur:
        cur.execute(
            """UPDATE radcheck r
                   SET value = floor(extract(epoch FROM c.expires_at))::bigint::text
                  FROM customers_customer c
                 WHERE r.customer_id = c.id AND r.attribute = 'Expiration'
                   AND c.id = ANY(%s) AND c.status IN ('active', 'fup') AND c.customer_type = 'hotspot'
                   AND c.deleted_at IS NULL AND c.expires_at IS NOT NULL""",
            [ids],
        )
        cur.execute(
            """INSERT INTO radcheck (tenant_id, customer_id, username, attribute, op, value)
                SELECT c.tenant_id, c.id, c.username, 'Expiration', ':=',
                       floor(extract(epoch FROM c.expires_at))::bigint::text
                  FROM customers_customer c
                 WHERE c.id = ANY(%s) AND c.status IN ('active', 'fup') AND c.customer_type = 'hotspot'
                   AND c.deleted_at IS NULL AND c.expires_at IS NOT NULL
                   AND EXISTS (SELECT 1 FROM radcheck p WHERE p.customer_id = c.id
                                  AND p.attribute = 'Cleartext-Password')
                   AND NOT EXISTS (SELECT 1 FROM radcheck e WHERE e.customer_id = c.id
                                      AND e.attribute = 'Expiration')""",
            [ids],
        )
