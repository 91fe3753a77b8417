"""Network reads: addresses inside pools, pool utilisation, the profile list.

On PostgreSQL addresses are ``inet`` columns, so "inside a pool" is a range comparison the
database does; the SQLite demo compares in Python (same answers, fewer rows there).
"""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from netbill.network import pools
from netbill.network.models import IpPool, PppoeProfile


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def in_intervals(queryset: QuerySet, field: str, intervals, version: int) -> QuerySet:
    """The rows of ``queryset`` whose IP address ``field`` lies in ``intervals``."""
    if not intervals:
        return queryset.none()
    if _postgres():
        cond = Q()
        for first, last in pools.bounds(intervals, version):
            cond |= Q(**{f"{field}__gte": first, f"{field}__lte": last})
        return queryset.filter(cond)
    pks = []
    for pk, ip in queryset.values_list("pk", field).iterator():
        if ip and pools.version_of(ip) == version and pools.contains(intervals, ip):
            pks.append(pk)
    return queryset.filter(pk__in=pks)


def addresses_in(queryset: QuerySet, field: str, intervals, version: int) -> list[tuple]:
    """(address, username) of the first rows of ``queryset`` inside ``intervals``."""
    return list(
        in_intervals(queryset, field, intervals, version)
        .order_by(field)
        .values_list(field, "username")[:5]
    )


def _used_addresses_sql(tenant_id: int, pool_bounds: list[list[tuple[str, str]]]) -> list[int]:
    """One query: for each pool (its list of (first, last)), how many distinct addresses
    are in use — framed IPv4/IPv6 addresses of open sessions plus customers' static IPs."""
    filters, params = [], [tenant_id, tenant_id, tenant_id]
    for bounds in pool_bounds:
        if not bounds:
            filters.append("0")
            continue
        cond = " OR ".join("(ip BETWEEN %s::inet AND %s::inet)" for _ in bounds)
        filters.append(f"COUNT(*) FILTER (WHERE {cond})")
        for first, last in bounds:
            params += [first, last]
    sql = f"""
        WITH used AS (
            SELECT host(framedipaddress)::inet AS ip FROM radacct
             WHERE tenant_id = %s AND acctstoptime IS NULL AND framedipaddress IS NOT NULL
            UNION
            SELECT host(framedipv6address)::inet FROM radacct
             WHERE tenant_id = %s AND acctstoptime IS NULL AND framedipv6address IS NOT NULL
            UNION
            SELECT host(static_ip)::inet FROM customers_customer
             WHERE tenant_id = %s AND deleted_at IS NULL AND static_ip IS NOT NULL
        )
        SELECT {", ".join(filters)} FROM used
    """  # noqa: S608 - only placeholders are interpolated; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(n) for n in cursor.fetchone()]


def _used_addresses_python(tenant_id: int, intervals_list) -> list[int]:
    from netbill.customers.models import Customer
    from netbill.radius.models import RadAcct

    used: set[str] = set()
    sessions = RadAcct.objects.filter(tenant_id=tenant_id, acctstoptime__isnull=True)
    for v4, v6 in sessions.values_list("framedipaddress", "framedipv6address").iterator():
        used.update(str(ipaddress.ip_address(a)) for a in (v4, v6) if a)
    statics = Customer.objects.filter(
        tenant_id=tenant_id, deleted_at__isnull=True, static_ip__isnull=False
    ).values_list("static_ip", flat=True)
    used.update(str(ipaddress.ip_address(ip)) for ip in statics.iterator())
    by_version = {4: [], 6: []}
    for ip in used:
        by_version[pools.version_of(ip)].append(int(ipaddress.ip_address(ip)))
    counts = []
    for version, intervals in intervals_list:
        counts.append(sum(1 for v in by_version[version] if any(a <= v <= b for a, b in intervals)))
    return counts


def _prefixes_in(tenant_id: int, v6_pools: list[tuple[int, list]]) -> dict[int, int]:
    """Open sessions whose framed or delegated IPv6 prefix starts inside an IPv6 pool (a
    RouterOS IPv6 pool hands out prefixes, not addresses)."""
    from netbill.radius.models import RadAcct

    counts = dict.fromkeys((pk for pk, _i in v6_pools), 0)
    rows = (
        RadAcct.objects.filter(tenant_id=tenant_id, acctstoptime__isnull=True)
        .filter(Q(framedipv6prefix__isnull=False) | Q(delegatedipv6prefix__isnull=False))
        .values_list("framedipv6prefix", "delegatedipv6prefix")
    )
    for row in rows.iterator():
        for text in row:
            if not text:
                continue
            try:
                start = int(ipaddress.IPv6Network(text.strip(), strict=False).network_address)
            except ValueError:
                continue  # a NAS wrote something that is not a prefix: not counted
            for pk, intervals in v6_pools:
                if any(a <= start <= b for a, b in intervals):
                    counts[pk] += 1
    return counts


def pool_usage(tenant_id: int, pool_list: list[IpPool]) -> dict[int, int]:
    """Addresses in use per pool id: open sessions' framed IPs (and IPv6 prefixes) inside
    the pool plus customers' static IPs inside it, each address counted once."""
    parsed = []
    for pool in pool_list:
        try:
            parsed.append((pool, pools.parse_ranges(pool.ranges, pool.version)))
        except ValidationError:  # a pool saved before validation existed: counted as 0
            parsed.append((pool, []))
    if not parsed:
        return {}
    if _postgres():
        counts = _used_addresses_sql(
            tenant_id, [pools.bounds(intervals, pool.version) for pool, intervals in parsed]
        )
    else:
        counts = _used_addresses_python(
            tenant_id, [(pool.version, intervals) for pool, intervals in parsed]
        )
    usage = {pool.pk: n for (pool, _i), n in zip(parsed, counts, strict=True)}
    v6 = [(pool.pk, intervals) for pool, intervals in parsed if pool.version == 6 and intervals]
    if v6:
        for pk, n in _prefixes_in(tenant_id, v6).items():
            usage[pk] += n
    return usage


def pool_rows(user, queryset) -> list[dict]:
    """The pool list: each pool with its size, addresses in use and utilisation."""
    pool_list = list(queryset)
    usage = pool_usage(user.tenant_id, pool_list)
    rows = []
    for pool in pool_list:
        size = int(pool.size)
        used = usage.get(pool.pk, 0)
        rows.append(
            {
                "pool": pool,
                "size": size,
                "size_label": size_label(size),
                "used": used,
                "percent": round(100 * used / size, 1) if size and pool.version == 4 else None,
            }
        )
    return rows


def size_label(size: int) -> str:
    """A pool size people can read: exact up to a billion, else as a power of two."""
    if size < 10**9:
        return f"{size:,}"
    bits = size.bit_length() - 1
    if size == 1 << bits:
        return f"2^{bits}"
    return f"≈ 2^{bits}"


def profile_list(user) -> QuerySet:
    """PPPoE profiles with their pools and the master packages linked to them."""
    from netbill.catalog.models import MasterPackage

    return (
        PppoeProfile.objects.visible_to(user)
        .select_related("pool_v4", "pool_v6")
        .prefetch_related(
            Prefetch(
                "packages",
                queryset=MasterPackage.objects.visible_to(user).order_by("name"),
            )
        )
        .order_by("name", "pk")
    )


def pool_choices(user, *, version: int | None = None, kinds=("customer",)) -> QuerySet:
    qs = IpPool.objects.visible_to(user).filter(kind__in=kinds)
    if version is not None:
        qs = qs.filter(version=version)
    return qs.order_by("name")
