"""Objects the network tests share: routers (written directly — the router service is
another part of issue 5), a VPN pool and the VPN server settings."""

from __future__ import annotations

from netbill.core.crypto import encrypt
from netbill.network.models import Router
from netbill.network.services import pool_create
from netbill.network.vpn import generate_keypair

SERVER_PRIVATE, SERVER_PUBLIC = generate_keypair()


def make_router(world, name="Core-1", host="198.51.100.10", secret="radius-secret"):
    return Router.objects.create(
        tenant=world.tenant,
        name=name,
        host=host,
        api_username="netbill",
        api_password_enc=encrypt("api-pass"),
        radius_secret_enc=encrypt(secret) if secret else "",
    )


def make_vpn_pool(world, ranges="10.255.0.0/24", name="Tunnels"):
    return pool_create(actor=world.admin, name=name, version=4, ranges=ranges, kind="vpn")


def configure_vpn(settings):
    settings.VPN_SERVER_PUBLIC_KEY = SERVER_PUBLIC
    settings.VPN_SERVER_ENDPOINT = "vpn.isp.example:51820"
    settings.VPN_SERVER_ADDRESS = "10.255.0.1"
    return settings
