"""The two lookups FreeRADIUS makes for every Access-Request, as PL/pgSQL functions.

netbill's queries (deploy/freeradius/mods-config/sql/netbill/queries.conf) resolve the ISP
from the NAS and check for open sessions in the same statement.  As literal SQL, PostgreSQL
would plan those subqueries again for every request (rlm_sql sends plain text, no prepared
statements), and planning costs several times the lookup itself.  A PL/pgSQL function keeps
its plan for the life of FreeRADIUS's connection.  Only on PostgreSQL: the SQLite demo has
no FreeRADIUS.
"""

from django.db import migrations

CHECK = r"""
CREATE OR REPLACE FUNCTION netbill_radcheck(p_username text, p_nas text)
RETURNS TABLE (id bigint, username text, attribute text, value text, op text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    -- The user's check rows in the ISP of the NAS.  The Simultaneous-Use row is left out
    -- while the user has no open session: no limit (at least 1) can be reached then, and
    -- without it FreeRADIUS skips its session count query.
    RETURN QUERY
    SELECT c.id, c.username, c.attribute, c.value, c.op::text
      FROM radcheck c
     WHERE c.username = p_username
       AND c.tenant_id = (SELECT n.tenant_id FROM nas n WHERE n.nasname = p_nas)
       AND (c.attribute <> 'Simultaneous-Use'
            OR EXISTS (SELECT 1 FROM radacct a
                        WHERE a.username = c.username AND a.tenant_id = c.tenant_id
                          AND a.acctstoptime IS NULL))
     ORDER BY c.id;
END
$$
"""

REPLY = r"""
CREATE OR REPLACE FUNCTION netbill_radreply(p_username text, p_nas text)
RETURNS TABLE (id bigint, username text, attribute text, value text, op text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    -- The user's reply rows in the ISP of the NAS.
    RETURN QUERY
    SELECT r.id, r.username, r.attribute, r.value, r.op::text
      FROM radreply r
     WHERE r.username = p_username
       AND r.tenant_id = (SELECT n.tenant_id FROM nas n WHERE n.nasname = p_nas)
     ORDER BY r.id;
END
$$
"""

DROP = [
    "DROP FUNCTION IF EXISTS netbill_radcheck(text, text)",
    "DROP FUNCTION IF EXISTS netbill_radreply(text, text)",
]


def _run(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("radius", "0001_initial")]

    operations = [migrations.RunPython(_run(CHECK, REPLY), _run(*DROP))]
