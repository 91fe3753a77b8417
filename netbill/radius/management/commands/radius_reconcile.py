"""``manage.py radius_reconcile [--tenant SLUG] [--dry-run]``: compare every customer with
the RADIUS tables (radcheck / radreply) and repair drift, printing what was fixed."""

from django.core.management.base import BaseCommand, CommandError

from netbill.radius.tasks import reconcile_tenant


class Command(BaseCommand):
    help = "Compare netbill's customers with the RADIUS tables and repair drift."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="ISP slug (default: every active ISP)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the drift without repairing it."
        )

    def handle(self, *args, tenant=None, dry_run=False, **options):
        from netbill.tenancy.models import Tenant

        tenants = Tenant.objects.filter(is_active=True).order_by("pk")
        if tenant:
            tenants = Tenant.objects.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No ISP with slug {tenant!r}.")
        for t in tenants:
            report = reconcile_tenant(t, dry_run=dry_run)
            verb = "would repair" if dry_run else "repaired"
            self.stdout.write(
                f"{t.slug}: checked {report['checked']}, {verb} {len(report['repaired'])}, "
                f"orphans {'found' if dry_run else 'removed'} {report['removed']}"
            )
            for username in report["repaired"]:
                self.stdout.write(f"  {verb}: {username}")
