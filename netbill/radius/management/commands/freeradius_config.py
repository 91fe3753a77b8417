"""``manage.py freeradius_config --dir DIR``: write netbill's FreeRADIUS configuration.

Renders ``deploy/freeradius`` for this installation's database (``DATABASES``) into
``DIR``, ready for ``freeradius -d DIR``.  Run it again after upgrading netbill or changing
the database settings; it only ever replaces a directory it wrote itself.  See
docs/deployment.md and docs/network.md ("FreeRADIUS").
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from netbill.radius.freeradius import ConfigError, check_config, render_config


class Command(BaseCommand):
    help = "Write netbill's FreeRADIUS configuration (sql module, queries, site) to a directory."

    def add_arguments(self, parser):
        parser.add_argument("--dir", required=True, help="Directory to write (created).")
        parser.add_argument("--auth-port", type=int, default=1812)
        parser.add_argument("--acct-port", type=int, default=1813)
        parser.add_argument(
            "--listen",
            default="*",
            help="Address the routers send RADIUS to (default: every IPv4 address).",
        )
        parser.add_argument("--logdir", help="Log directory (default: DIR/log).")
        parser.add_argument("--rundir", help="Directory of the pid file (default: DIR/run).")
        parser.add_argument("--user", help="System user FreeRADIUS switches to after start.")
        parser.add_argument("--group", help="System group FreeRADIUS switches to after start.")
        parser.add_argument("--database", default="default", help="Django database alias.")
        parser.add_argument("--sql-pool", type=int, default=5, help="Database connections.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Run `freeradius -C` on the result (connects to the database).",
        )

    def handle(self, *args, **options):
        try:
            database = connections[options["database"]].settings_dict
        except Exception as exc:
            raise CommandError(f"Unknown database alias {options['database']!r}.") from exc
        try:
            directory = render_config(
                options["dir"],
                database=dict(database),
                auth_port=options["auth_port"],
                acct_port=options["acct_port"],
                listen_address=options["listen"],
                logdir=options["logdir"],
                rundir=options["rundir"],
                user=options["user"],
                group=options["group"],
                sql_pool_start=options["sql_pool"],
                sql_pool_max=max(32, options["sql_pool"]),
            )
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"FreeRADIUS configuration written to {directory}")
        if options["check"]:
            passed, output = check_config(directory)
            if not passed:
                raise CommandError(f"freeradius -C failed:\n{output}")
            self.stdout.write("freeradius -C: configuration is valid")
        self.stdout.write(f"Run it with: freeradius -f -d {directory}")
