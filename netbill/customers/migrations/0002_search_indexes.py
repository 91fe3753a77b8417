"""Indexes for the customer search on PostgreSQL: name contains (trigram), username and
mobile prefix.  SQLite (the demo) has no such index types and needs none at its size."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON customers_customer "
    "USING gin (UPPER(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_username_prefix ON customers_customer "
    "(tenant_id, UPPER(username::text) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_mobile_prefix ON customers_customer "
    "(tenant_id, mobile varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS customer_name_trgm",
    "DROP INDEX IF EXISTS customer_username_prefix",
    "DROP INDEX IF EXISTS customer_mobile_prefix",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
