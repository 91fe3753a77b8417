"""Network objects of one ISP: routers (NAS), IP pools, PPPoE profiles, VPN accounts, pings.

These are tenant-wide: every staff role that holds the network keys sees them (NOC included);
resellers do not manage them.  Writes go through :mod:`netbill.network.services`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.core.models import TenantOwned
from netbill.core.scope import visible_owner_ids


class RouterStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked")
    ONLINE = "online", _("Online")
    ERROR = "error", _("Error")


class Router(TenantOwned):
    """A MikroTik router: reached through the RouterOS API and registered as a RADIUS client."""

    name = models.CharField(_("name"), max_length=80)
    host = models.CharField(
        _("IP address"), max_length=255, help_text=_("Address of the router's API.")
    )
    api_port = models.PositiveIntegerField(_("API port"), default=8728)
    api_tls = models.BooleanField(_("API over TLS (api-ssl)"), default=False)
    api_username = models.CharField(_("API user"), max_length=80)
    api_password_enc = models.TextField(blank=True)  # netbill.core.crypto
    radius_secret_enc = models.TextField(blank=True)
    coa_port = models.PositiveIntegerField(_("CoA port"), default=3799)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Filled by Test Connection / status polling.
    status = models.CharField(
        max_length=10, choices=RouterStatus.choices, default=RouterStatus.UNKNOWN
    )
    last_error = models.CharField(max_length=300, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    ros_version = models.CharField(_("RouterOS version"), max_length=40, blank=True)
    board_name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="router_unique_name"),
        ]
        verbose_name = _("router")

    def __str__(self):
        return self.name

    @property
    def address(self) -> str:
        """Where the router is reached: its VPN tunnel address when it has one."""
        vpn = getattr(self, "vpn_account", None)
        if vpn is not None and vpn.is_active:
            return vpn.tunnel_address
        return self.host

    @property
    def api_password(self) -> str:
        from netbill.core.crypto import decrypt

        return decrypt(self.api_password_enc) if self.api_password_enc else ""

    @property
    def radius_secret(self) -> str:
        from netbill.core.crypto import decrypt

        return decrypt(self.radius_secret_enc) if self.radius_secret_enc else ""


class IpVersion(models.IntegerChoices):
    V4 = 4, "IPv4"
    V6 = 6, "IPv6"


class PoolKind(models.TextChoices):
    CUSTOMER = "customer", _("Customers")
    SUSPENDED = "suspended", _("Suspended customers (protected)")
    VPN = "vpn", _("VPN tunnels")


class IpPool(TenantOwned):
    """An address pool (``/ip pool`` on the router, ``Framed-Pool`` in RADIUS).

    ``ranges`` holds one or more CIDR blocks or ``first-last`` ranges, comma separated.
    The suspended pool (one per ISP, created with the ISP) cannot be renamed or deleted.
    """

    SUSPENDED_NAME = "netbill-suspended"
    SUSPENDED_ADDRESS_LIST = "netbill-suspended"

    name = models.CharField(_("name"), max_length=64)
    version = models.PositiveSmallIntegerField(
        _("IP version"), choices=IpVersion.choices, default=IpVersion.V4
    )
    ranges = models.TextField(_("ranges"))
    kind = models.CharField(
        _("used for"), max_length=10, choices=PoolKind.choices, default=PoolKind.CUSTOMER
    )
    # The router's address list for this pool (suspended customers are redirected by it).
    address_list = models.CharField(_("address list"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    size = models.DecimalField(max_digits=40, decimal_places=0, default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="ippool_unique_name"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(kind="suspended"),
                name="ippool_one_suspended",
            ),
        ]
        verbose_name = _("IP pool")

    def __str__(self):
        return self.name

    @property
    def is_protected(self) -> bool:
        return self.kind == PoolKind.SUSPENDED


class PppoeProfile(TenantOwned):
    """A PPP profile (``/ppp profile``), linked to master packages."""

    name = models.CharField(_("name"), max_length=64)
    local_address = models.GenericIPAddressField(
        _("local address"), protocol="IPv4", null=True, blank=True
    )
    pool_v4 = models.ForeignKey(
        IpPool,
        verbose_name=_("IPv4 pool"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pool_v6 = models.ForeignKey(
        IpPool,
        verbose_name=_("IPv6 pool"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=120,
        blank=True,
        help_text=_("MikroTik rate limit, e.g. 5M/10M. Empty: from the package's speeds."),
    )
    dns_server = models.CharField(_("DNS servers"), max_length=120, blank=True)
    only_one = models.BooleanField(_("only one session"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="pppoeprofile_unique_name"),
        ]
        verbose_name = _("PPPoE profile")

    def __str__(self):
        return self.name


class VpnAccount(TenantOwned):
    """A WireGuard tunnel (RouterOS 7) for a router behind NAT."""

    router = models.OneToOneField(Router, on_delete=models.CASCADE, related_name="vpn_account")
    tunnel_address = models.GenericIPAddressField(_("tunnel address"), protocol="IPv4")
    private_key_enc = models.TextField()  # the router's private key, encrypted
    public_key = models.CharField(max_length=64)
    server_endpoint = models.CharField(_("server endpoint"), max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One WireGuard server for the installation: an address is unique across ISPs.
            models.UniqueConstraint(fields=["tunnel_address"], name="vpnaccount_unique_address"),
        ]
        verbose_name = _("VPN account")

    def __str__(self):
        return f"{self.router} ({self.tunnel_address})"


class PingResult(TenantOwned):
    """One ping test from the server, kept so the panel can show it."""

    target = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    router = models.ForeignKey(
        Router, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sent = models.PositiveSmallIntegerField(default=0)
    received = models.PositiveSmallIntegerField(default=0)
    rtt_min_ms = models.FloatField(null=True)
    rtt_avg_ms = models.FloatField(null=True)
    rtt_max_ms = models.FloatField(null=True)
    output = models.TextField(blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ping result")

    def __str__(self):
        return f"ping {self.target} {self.received}/{self.sent}"

    @classmethod
    def scope_filter(cls, qs, user):
        """Tenant-wide roles see every ping; a reseller and its managers see the pings of
        their own customers only."""
        owners = visible_owner_ids(user)
        return qs if owners is None else qs.filter(customer__owner_id__in=owners)
