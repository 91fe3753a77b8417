"""Cross-scope crawl objects: routers of the foreign tenant (one per crawled id), each a
RADIUS client.  Their addresses are documentation addresses: nothing must ever connect."""

from __future__ import annotations

from netbill.network.routers import router_create


def populate(foreign, marker):
    for n in range(1, 4):
        router_create(
            actor=foreign.admin,
            name=f"{marker} Router {n}",
            host=f"198.51.100.{n}",
            api_username=f"{marker}-api",
            api_password="foreign-pass",
            radius_secret="foreign-secret",
            description=marker,
        )
