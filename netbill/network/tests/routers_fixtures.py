"""Fixtures of the router tests: a fake RouterOS on 127.0.0.1 and a router pointing at it.

Test modules import the ``fixture_*`` functions (``from ...routers_fixtures import
fixture_router``) rather than finding them in a conftest, so the network app's other test
modules stay independent of them."""

from __future__ import annotations

import socket

import pytest

from netbill.network.fake_routeros import FakeRouterOS
from netbill.network.routers import router_create

API_USER = "netbill"
API_PASSWORD = "api-pass-123"  # noqa: S105 (the fake router's password)
RADIUS_SECRET = "radius-secret-77"  # noqa: S105


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_fake(version: str = "7.16", **kwargs) -> FakeRouterOS:
    kwargs.setdefault("username", API_USER)
    kwargs.setdefault("password", API_PASSWORD)
    return FakeRouterOS(version=version, **kwargs).start()


@pytest.fixture(name="fake_router")
def fixture_fake_router():
    fake = start_fake("7.16")
    yield fake
    fake.stop()


@pytest.fixture(name="fake_router6")
def fixture_fake_router6():
    fake = start_fake("6.49.10")
    yield fake
    fake.stop()


def make_router(world, fake, *, name: str = "Core", host: str = "127.0.0.1", **extra):
    return router_create(
        actor=world.admin,
        name=name,
        host=host,
        api_port=fake.port if fake is not None else closed_port(),
        api_username=API_USER,
        api_password=API_PASSWORD,
        radius_secret=RADIUS_SECRET,
        **extra,
    )


@pytest.fixture(name="router")
def fixture_router(world, fake_router):
    return make_router(world, fake_router)


@pytest.fixture(name="router6")
def fixture_router6(world, fake_router6):
    return make_router(world, fake_router6, name="Old core", host="127.0.0.1")
