import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from netbill.core.testing import make_customer

pytestmark = pytest.mark.django_db


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_operator_exports_only_its_filtered_customers_as_csv(client, world):
    make_customer(world, owner=world.operator, name="Own Active", username="ownact")
    make_customer(
        world, owner=world.sub_operator, name="Sub Suspended", username="subsus", status="suspended"
    )
    make_customer(world, owner=world.operator2, name="Foreign Active", username="foreign")
    client.force_login(world.operator)

    rows = _csv(client.get(reverse("customers:export"), {"status": "active", "format": "csv"}))

    assert rows[0][:3] == ["Name", "Username", "Mobile"]
    assert [r[1] for r in rows[1:]] == ["ownact"]
    assert rows[1][12] == "800.00"


def test_excel_export_has_header_and_every_visible_customer(client, world):
    make_customer(world, owner=world.operator, username="a1")
    make_customer(world, owner=world.operator, username="a2", name="=HYPERLINK(1)")
    client.force_login(world.operator)

    response = client.get(reverse("customers:export"), {"format": "xlsx", "sort": "username"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][1] == "Username"
    assert [v[1] for v in values[1:]] == ["a1", "a2"]
    assert values[2][0] == "'=HYPERLINK(1)"


def test_export_without_view_customer_details_is_403(client, world):
    world.noc.refresh_from_db()
    client.force_login(world.noc)
    assert client.get(reverse("customers:export")).status_code == 403
