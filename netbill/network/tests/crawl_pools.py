"""Cross-scope crawl objects of the foreign tenant for pools, PPPoE profiles, VPN accounts
and ping results (``populate`` is called by core/tests/test_crawl.py)."""

from __future__ import annotations

from netbill.core.crypto import encrypt
from netbill.core.testing import make_customer
from netbill.network.models import PingResult, Router, VpnAccount
from netbill.network.services import pool_create, profile_create
from netbill.network.vpn import generate_keypair


def populate(foreign, marker):
    admin = foreign.admin
    pool = pool_create(
        actor=admin, name=f"{marker} Pool", version=4, ranges="10.88.0.0/24", description=marker
    )
    pool_create(actor=admin, name=f"{marker} Tunnels", version=4, ranges="10.89.0.0/24", kind="vpn")
    profile_create(actor=admin, name=f"{marker} Profile", pool_v4=pool, description=marker)
    router = Router.objects.create(
        tenant=foreign.tenant,
        name=f"{marker} Router",
        host="198.51.100.99",
        api_username="netbill",
        api_password_enc=encrypt("x"),
    )
    private, public = generate_keypair()
    VpnAccount.objects.create(
        tenant=foreign.tenant,
        router=router,
        tunnel_address="10.89.0.2",
        private_key_enc=encrypt(private),
        public_key=public,
        server_endpoint=f"{marker.lower()}.example:51820",
    )
    for owner in (foreign.admin, foreign.operator):
        customer = make_customer(
            foreign, owner=owner, name=f"{marker} Pinged {owner.pk}", username=f"zping{owner.pk}"
        )
        PingResult.objects.create(
            tenant=foreign.tenant,
            target="127.0.0.1",
            customer=customer,
            sent=1,
            received=1,
            output=marker,
            actor=owner,
        )
    PingResult.objects.create(
        tenant=foreign.tenant, target="127.0.0.1", router=router, output=marker, actor=admin
    )
