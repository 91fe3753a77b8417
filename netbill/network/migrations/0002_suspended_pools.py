"""Every ISP has its protected suspended pool (new ISPs get it from ``tenant_create``)."""

from django.db import migrations

from netbill.network.defaults import SUSPENDED_POOL


def create_pools(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    IpPool = apps.get_model("network", "IpPool")
    for tenant in Tenant.objects.all():
        IpPool.objects.get_or_create(tenant=tenant, kind="suspended", defaults=SUSPENDED_POOL)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("tenancy", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_pools, migrations.RunPython.noop)]
