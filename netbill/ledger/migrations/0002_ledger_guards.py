"""PostgreSQL guards of the ledger: lines are append-only, and the lines inserted by one
statement balance per entry and book (the posting module inserts an entry's lines in one
statement).  SQLite (the demo) relies on the posting module alone."""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'posted ledger rows are never changed: post a reversing entry'
            USING ERRCODE = '55000';
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ledger_journalline_append_only BEFORE UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER ledger_journalentry_append_only BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
    DECLARE bad RECORD;
    BEGIN
        SELECT entry_id, book_id, SUM(amount) AS total INTO bad FROM new_lines
            GROUP BY entry_id, book_id HAVING SUM(amount) <> 0 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal entry %% does not balance in book %% (off by %%)',
                bad.entry_id, coalesce(bad.book_id::text, 'ISP'), bad.total
                USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ledger_journalline_balanced AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_balanced()
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_journalentry_append_only ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_journalline_append_only ON ledger_journalline",
    "DROP FUNCTION IF EXISTS ledger_check_balanced()",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
