"""pytest fixtures for RADIUS tests (registered by the root ``conftest.py``).

``freeradius_server``: one real FreeRADIUS per test session (see
:mod:`netbill.radius.testing`); ``radius``: that server plus helpers, for a test on
committed data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from netbill.radius.testing import TEST_NAS, RadiusServer, chap_password, netbill_freeradius


@dataclass
class RadiusKit:
    """What a RADIUS test needs: the server, the test NAS addresses and packet helpers."""

    server: RadiusServer

    def nas(self, tenant, address: str = "127.0.0.1", *, name: str | None = None):
        """Register a router of ``tenant`` at ``address`` as a RADIUS client (``nas`` row
        written by the router sync), with the secret the running server knows for it."""
        from netbill.core.crypto import encrypt
        from netbill.network.models import Router
        from netbill.radius.nas import sync_nas

        router = Router.objects.create(
            tenant=tenant,
            name=name or f"Router {address}",
            host=address,
            api_username="admin",
            radius_secret_enc=encrypt(self.server.clients[address]),
        )
        return sync_nas(router)

    def client(self, source: str = "127.0.0.1", **kwargs):
        return self.server.client(secret=self.server.clients[source], source=source, **kwargs)

    def auth(self, username: str, password: str, *, source: str = "127.0.0.1", **attributes):
        """Send a PAP Access-Request; returns the reply packet."""
        client = self.client(source)
        request = client.CreateAuthPacket(User_Name=username, **attributes)
        request["User-Password"] = request.PwCrypt(password)
        return client.SendPacket(request)

    def auth_chap(self, username: str, password: str, *, source: str = "127.0.0.1"):
        client = self.client(source)
        chap, challenge = chap_password(password)
        request = client.CreateAuthPacket(User_Name=username)
        request["CHAP-Password"] = chap
        request["CHAP-Challenge"] = challenge
        return client.SendPacket(request)

    def acct(self, username: str, status: str, *, source: str = "127.0.0.1", **attributes):
        """Send an Accounting-Request (``status``: Start, Interim-Update, Stop,
        Accounting-On, Accounting-Off); returns the reply packet."""
        client = self.client(source)
        request = client.CreateAcctPacket(Acct_Status_Type=status, **attributes)
        if username:
            request["User-Name"] = username
        return client.SendPacket(request)


@pytest.fixture(scope="session")
def freeradius_server(django_db_setup, django_db_blocker):
    """One FreeRADIUS for the test session, on the test database, on free loopback ports.

    Started after the test database exists and stopped (this fixture is torn down first)
    before it is dropped: FreeRADIUS holds connections, and ``DROP DATABASE`` fails while
    it does.
    """
    from django.db import connection

    with netbill_freeradius(dict(connection.settings_dict), clients=TEST_NAS) as server:
        yield server


@pytest.fixture
def radius(freeradius_server, transactional_db):
    """The session's FreeRADIUS for one test.  RADIUS tests use committed data
    (``transactional_db``): FreeRADIUS reads the tables over its own connections."""
    return RadiusKit(freeradius_server)
