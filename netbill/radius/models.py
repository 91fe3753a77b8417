"""The FreeRADIUS SQL tables, in netbill's database, created by netbill's migrations.

Column names are FreeRADIUS's own (``mods-config/sql/main/postgresql/schema.sql``), so its
stock queries still work against them.  netbill adds three columns and the indexes its pages
need:

- ``tenant_id`` on ``radcheck``/``radreply``/``nas``/``radacct``/``radpostauth``: one FreeRADIUS
  serves many ISPs; a username is unique per ISP only, so the shipped queries resolve the
  tenant from the NAS the packet came from (``nas.nasname`` = the packet's source address).
- ``customer_id`` on ``radcheck``/``radreply`` (the rows netbill writes for one customer are
  replaced as one set) and on ``radacct`` (filled by the accounting Start query, so sessions
  are scoped like customers).

netbill writes ``radcheck``/``radreply``/``nas`` only through :mod:`netbill.radius.sync` and
the router service; FreeRADIUS writes ``radacct``/``radpostauth``.  The group tables exist
for compatibility (operators may add their own group policies); netbill does not use them.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from netbill.core.scope import ScopedManager, visible_owner_ids


class _AttributeRow(models.Model):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    username = models.TextField(db_column="username", default="")
    attribute = models.TextField(db_column="attribute", default="")
    op = models.CharField(db_column="op", max_length=2, default="==")
    value = models.TextField(db_column="value", default="")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.username} {self.attribute} {self.op} {self.value}"

    def as_tuple(self) -> tuple[str, str, str]:
        return (self.attribute, self.op, self.value)


class RadCheck(_AttributeRow):
    class Meta:
        db_table = "radcheck"
        indexes = [
            models.Index(fields=["username", "tenant"], name="radcheck_user_tenant"),
            models.Index(fields=["customer"], name="radcheck_customer"),
        ]


class RadReply(_AttributeRow):
    op_default = "="

    class Meta:
        db_table = "radreply"
        indexes = [
            models.Index(fields=["username", "tenant"], name="radreply_user_tenant"),
            models.Index(fields=["customer"], name="radreply_customer"),
        ]


class _GroupRow(models.Model):
    id = models.BigAutoField(primary_key=True)
    groupname = models.TextField(default="")
    attribute = models.TextField(default="")
    op = models.CharField(max_length=2, default="==")
    value = models.TextField(default="")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.groupname} {self.attribute} {self.op} {self.value}"


class RadGroupCheck(_GroupRow):
    class Meta:
        db_table = "radgroupcheck"
        indexes = [models.Index(fields=["groupname", "attribute"], name="radgroupcheck_group")]


class RadGroupReply(_GroupRow):
    op = models.CharField(max_length=2, default="=")

    class Meta:
        db_table = "radgroupreply"
        indexes = [models.Index(fields=["groupname", "attribute"], name="radgroupreply_group")]


class RadUserGroup(models.Model):
    id = models.BigAutoField(primary_key=True)
    username = models.TextField(default="")
    groupname = models.TextField(default="")
    priority = models.IntegerField(default=0)

    class Meta:
        db_table = "radusergroup"
        indexes = [models.Index(fields=["username"], name="radusergroup_user")]

    def __str__(self):
        return f"{self.username} in {self.groupname}"


class Nas(models.Model):
    """A RADIUS client (FreeRADIUS reads these at start: ``read_clients = yes``).

    Written by the router service: one row per router, ``nasname`` = the router's address
    (its VPN tunnel address when it sits behind NAT).
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    router = models.OneToOneField(
        "network.Router",
        null=True,
        on_delete=models.CASCADE,
        related_name="nas",
        db_constraint=False,
    )
    nasname = models.TextField(unique=True)
    shortname = models.TextField()
    type = models.TextField(default="other")
    ports = models.IntegerField(null=True)
    secret = models.TextField()
    server = models.TextField(null=True)
    community = models.TextField(null=True)
    description = models.TextField(null=True)

    class Meta:
        db_table = "nas"

    def __str__(self):
        return self.shortname


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions of the customers ``user`` may see (scope of customers)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active or not user.tenant_id:
            return self.none()
        qs = self.filter(tenant_id=user.tenant_id)
        owners = visible_owner_ids(user)
        if owners is not None:
            qs = qs.filter(customer__owner_id__in=owners)
        return qs

    def open(self):
        return self.filter(acctstoptime__isnull=True)


class RadAcct(models.Model):
    """An accounting session, written by FreeRADIUS (Start / Interim-Update / Stop).

    Octet columns already include the gigaword counters (the shipped queries add
    ``Acct-*-Gigawords << 32``), so sessions over 4 GB are counted right.
    """

    radacctid = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="sessions",
        db_constraint=False,
        db_index=False,
    )
    acctsessionid = models.TextField()
    acctuniqueid = models.TextField(unique=True)
    username = models.TextField(null=True)
    realm = models.TextField(null=True)
    nasipaddress = models.GenericIPAddressField()
    nasportid = models.TextField(null=True)
    nasporttype = models.TextField(null=True)
    acctstarttime = models.DateTimeField(null=True)
    acctupdatetime = models.DateTimeField(null=True)
    acctstoptime = models.DateTimeField(null=True)
    acctinterval = models.BigIntegerField(null=True)
    acctsessiontime = models.BigIntegerField(null=True)
    acctauthentic = models.TextField(null=True)
    connectinfo_start = models.TextField(null=True)
    connectinfo_stop = models.TextField(null=True)
    acctinputoctets = models.BigIntegerField(null=True)
    acctoutputoctets = models.BigIntegerField(null=True)
    calledstationid = models.TextField(null=True)
    callingstationid = models.TextField(null=True)
    acctterminatecause = models.TextField(null=True)
    servicetype = models.TextField(null=True)
    framedprotocol = models.TextField(null=True)
    framedipaddress = models.GenericIPAddressField(null=True)
    framedipv6address = models.GenericIPAddressField(null=True)
    framedipv6prefix = models.TextField(null=True)
    framedinterfaceid = models.TextField(null=True)
    delegatedipv6prefix = models.TextField(null=True)
    class_field = models.TextField(db_column="class", null=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        db_table = "radacct"
        indexes = [
            # FreeRADIUS's own
            models.Index(
                fields=["acctuniqueid"],
                condition=models.Q(acctstoptime__isnull=True),
                name="radacct_active_session_idx",
            ),
            models.Index(
                fields=["nasipaddress", "acctstarttime"],
                condition=models.Q(acctstoptime__isnull=True),
                name="radacct_bulk_close",
            ),
            models.Index(fields=["acctstarttime", "username"], name="radacct_start_user_idx"),
            # netbill's pages: online customers per tenant, a customer's sessions and usage,
            # the stale-session sweep, the FUP usage collector.
            models.Index(
                fields=["tenant", "-acctstarttime"],
                condition=models.Q(acctstoptime__isnull=True),
                name="radacct_online",
            ),
            models.Index(fields=["customer", "-acctstarttime"], name="radacct_customer"),
            models.Index(
                fields=["acctupdatetime"],
                condition=models.Q(acctstoptime__isnull=True),
                name="radacct_open_update",
            ),
            models.Index(fields=["username", "tenant"], name="radacct_user_tenant"),
        ]

    def __str__(self):
        return f"{self.username} {self.acctsessionid}"

    @property
    def total_octets(self) -> int:
        return (self.acctinputoctets or 0) + (self.acctoutputoctets or 0)


class RadPostAuth(models.Model):
    """Authentication log.  The shipped query never stores the attempted password."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    username = models.TextField()
    pass_field = models.TextField(db_column="pass", null=True)
    reply = models.TextField(null=True)
    calledstationid = models.TextField(null=True)
    callingstationid = models.TextField(null=True)
    authdate = models.DateTimeField(db_default=Now())
    class_field = models.TextField(db_column="class", null=True)

    class Meta:
        db_table = "radpostauth"
        indexes = [
            models.Index(fields=["username"], name="radpostauth_username_idx"),
            models.Index(fields=["tenant", "-authdate"], name="radpostauth_tenant_date"),
        ]

    def __str__(self):
        return f"{self.username} {self.reply}"


class NasRequestKind(models.TextChoices):
    DISCONNECT = "disconnect", _("Disconnect")
    COA = "coa", _("Change of authorization")


class NasRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACK = "ack", _("Acknowledged")
    NAK = "nak", _("Refused by the router")
    TIMEOUT = "timeout", _("No answer")
    NO_SESSION = "no_session", _("No open session")
    ERROR = "error", _("Not sent")


class NasRequest(models.Model):
    """A Disconnect-Request or CoA-Request sent (from the outbox) to the NAS holding a
    customer's session, with its outcome, shown on the customer's page."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="nas_requests"
    )
    kind = models.CharField(max_length=12, choices=NasRequestKind.choices)
    reason = models.CharField(max_length=200, blank=True)
    # What identified the session (from radacct) and where it went.
    nas_address = models.GenericIPAddressField(null=True, blank=True)
    acct_session_id = models.CharField(max_length=128, blank=True)
    framed_ip = models.GenericIPAddressField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=NasRequestStatus.choices, default=NasRequestStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self):
        return f"{self.kind} {self.customer_id} {self.status}"

    @property
    def rate_limit(self) -> str:
        """The speed a CoA carried (or carries)."""
        return self.attributes.get("Mikrotik-Rate-Limit", "") if self.attributes else ""

    @property
    def retrying(self) -> bool:
        """Failed so far, with attempts left in the outbox."""
        return self.finished_at is None and self.status not in (
            NasRequestStatus.PENDING,
            NasRequestStatus.ACK,
            NasRequestStatus.NO_SESSION,
        )

    @property
    def failed(self) -> bool:
        """Given up: the last attempt was refused, unanswered or could not be sent."""
        return self.finished_at is not None and self.status in (
            NasRequestStatus.NAK,
            NasRequestStatus.TIMEOUT,
            NasRequestStatus.ERROR,
        )

    @classmethod
    def scope_filter(cls, qs, user):
        owners = visible_owner_ids(user)
        return qs if owners is None else qs.filter(customer__owner_id__in=owners)


class UsageDaily(models.Model):
    """Bytes a customer used per day (tenant's date), collected from ``radacct`` deltas by
    the usage job; the base of per-cycle usage and fair usage."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="usage_days"
    )
    day = models.DateField()
    input_octets = models.BigIntegerField(default=0)
    output_octets = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], name="usagedaily_customer_day")
        ]

    def __str__(self):
        return f"{self.customer_id} {self.day}"


class SessionCounter(models.Model):
    """The octets of an accounting session already counted into :class:`UsageDaily`."""

    radacctid = models.BigIntegerField(primary_key=True)
    input_octets = models.BigIntegerField(default=0)
    output_octets = models.BigIntegerField(default=0)
    closed = models.BooleanField(default=False)

    def __str__(self):
        return str(self.radacctid)
