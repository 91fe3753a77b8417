"""The configuration netbill ships: rendering, the deployment command, and a FreeRADIUS
started like a deployment (clients from the ``nas`` table only)."""

from __future__ import annotations

import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pyrad import packet
from pyrad.client import Timeout

from netbill.core.crypto import encrypt
from netbill.core.testing import fund_resellers, make_world
from netbill.customers.services import customer_create
from netbill.network.models import Router
from netbill.radius.freeradius import (
    MARKER,
    ConfigError,
    StaticClient,
    connection_string,
    render_config,
)
from netbill.radius.nas import sync_nas
from netbill.radius.testing import FreeRadiusError, freeradius_process, netbill_freeradius

DB = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "netbill",
    "USER": "netbill",
    "PASSWORD": "s3cret:with\\odd chars",
    "HOST": "127.0.0.1",
    "PORT": "5432",
}


def all_text(directory) -> str:
    return "\n".join(
        p.read_text() for p in sorted(directory.rglob("*")) if p.is_file() and p.name != "pgpass"
    )


def test_rendered_tree_has_every_token_filled_and_the_password_only_in_pgpass(tmp_path):
    directory = render_config(tmp_path / "raddb", database=DB, auth_port=11812, acct_port=11813)

    text = all_text(directory)
    assert "@@" not in text
    assert "s3cret" not in text
    assert (
        "radius_db = 'host=127.0.0.1 port=5432 dbname=netbill user=netbill "
        f"passfile={directory}/pgpass'" in text
    )
    assert "port = 11812" in text and "port = 11813" in text
    pgpass = directory / "pgpass"
    assert pgpass.read_text() == "*:*:*:*:s3cret\\:with\\\\odd chars\n"
    assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600
    assert (directory / "log").is_dir() and (directory / "run").is_dir()


def test_without_a_password_no_pgpass_is_written(tmp_path):
    directory = render_config(tmp_path / "raddb", database={**DB, "PASSWORD": ""})

    assert not (directory / "pgpass").exists()
    assert "passfile" not in (directory / "mods-enabled" / "sql").read_text()


def test_only_postgresql_is_accepted():
    with pytest.raises(ConfigError, match="PostgreSQL"):
        connection_string({"ENGINE": "django.db.backends.sqlite3", "NAME": "x.db"}, None)


def test_a_database_name_with_quotes_is_refused():
    with pytest.raises(ConfigError, match="dbname"):
        connection_string({**DB, "NAME": "net'bill"}, None)


def test_a_directory_netbill_did_not_write_is_never_overwritten(tmp_path):
    (tmp_path / "radiusd.conf").write_text("an operator's own configuration")

    with pytest.raises(ConfigError, match="not written by netbill"):
        render_config(tmp_path, database=DB)

    assert (tmp_path / "radiusd.conf").read_text() == "an operator's own configuration"


def test_rendering_again_replaces_the_previous_tree(tmp_path):
    directory = render_config(tmp_path / "raddb", database=DB, auth_port=11812, acct_port=11813)
    stale = directory / "mods-enabled" / "old-module"
    stale.write_text("old")

    render_config(directory, database=DB, auth_port=12812, acct_port=12813)

    assert not stale.exists()
    assert (directory / MARKER).exists()
    assert "port = 12812" in (directory / "sites-enabled" / "netbill").read_text()


def test_listen_address_and_user_are_written(tmp_path):
    directory = render_config(
        tmp_path / "raddb", database=DB, listen_address="::1", user="freerad", group="freerad"
    )

    assert "ipv6addr = ::1" in (directory / "sites-enabled" / "netbill").read_text()
    radiusd = (directory / "radiusd.conf").read_text()
    assert "\tuser = freerad\n\tgroup = freerad\n" in radiusd


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"listen_address": "localhost"}, "listen address"),
        ({"auth_port": 0}, "auth port"),
        ({"auth_port": 1812, "acct_port": 1812}, "must differ"),
        ({"user": "free rad"}, "user"),
        ({"clients": [StaticClient("t1", "127.0.0.1", "a$b")]}, "secret"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        render_config(tmp_path / "raddb", database=DB, **kwargs)

    assert not (tmp_path / "raddb").exists()


def test_freeradius_config_command_writes_a_configuration_freeradius_accepts(db, tmp_path):
    call_command(
        "freeradius_config",
        "--dir",
        str(tmp_path / "raddb"),
        "--auth-port",
        "11812",
        "--acct-port",
        "11813",
        "--listen",
        "127.0.0.1",
        "--check",
    )

    site = (tmp_path / "raddb" / "sites-enabled" / "netbill").read_text()
    assert "ipaddr = 127.0.0.1\n\t\tport = 11812" in site


def test_freeradius_config_command_reports_a_bad_setting(db, tmp_path):
    with pytest.raises(CommandError, match="listen address"):
        call_command("freeradius_config", "--dir", str(tmp_path / "raddb"), "--listen", "any")


def test_freeradius_started_like_a_deployment_answers_the_routers_of_the_nas_table(
    transactional_db,
):
    # given a router registered before FreeRADIUS starts (clients are read at start)
    world = make_world("Alpha Net")
    fund_resellers(world)
    router = Router.objects.create(
        tenant=world.tenant,
        name="Core",
        host="127.0.0.4",
        api_username="admin",
        radius_secret_enc=encrypt("core-router-secret"),
    )
    sync_nas(router)
    customer_create(
        actor=world.operator,
        customer_type="pppoe_monthly",
        name="Alice",
        mobile="01711000001",
        package=world.package,
        billing_profile=world.monthly,
        username="alice",
        password="pw-alice-1",
    )

    # when FreeRADIUS runs with no clients but the nas table
    with netbill_freeradius(dict(connection.settings_dict)) as server:
        client = server.client(secret="core-router-secret", source="127.0.0.4")
        request = client.CreateAuthPacket(User_Name="alice")
        request["User-Password"] = request.PwCrypt("pw-alice-1")
        reply = client.SendPacket(request)

        wrong = server.client(secret="not-the-secret", source="127.0.0.4", timeout=0.5, retries=1)
        bad = wrong.CreateAuthPacket(User_Name="alice")
        bad["User-Password"] = bad.PwCrypt("pw-alice-1")
        unknown = server.client(secret="core-router-secret", source="127.0.0.5", timeout=0.5)
        unknown.retries = 1
        other = unknown.CreateAuthPacket(User_Name="alice")
        other["User-Password"] = other.PwCrypt("pw-alice-1")

        # then the router is answered; a wrong secret or an unknown address gets nothing
        assert reply.code == packet.AccessAccept
        with pytest.raises(Timeout):
            wrong.SendPacket(bad)
        with pytest.raises(Timeout):
            unknown.SendPacket(other)


def test_a_configuration_freeradius_refuses_fails_fast_with_its_log(db, tmp_path):
    directory = render_config(
        tmp_path / "raddb",
        database=dict(connection.settings_dict),
        auth_port=11812,
        acct_port=11813,
    )
    site = directory / "sites-enabled" / "netbill"
    site.write_text(site.read_text().replace("authorize {", "authorize {\n\t\tno_such_module"))

    with (
        pytest.raises(FreeRadiusError, match="no_such_module"),
        freeradius_process(directory, log_path=tmp_path / "log"),
    ):
        pass
