"""REST API v1: customers, zones and custom fields — scope, keys, validation, effects."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.accounts.services import api_token_create
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.testing import PASSWORD, db_state, make_customer
from netbill.customers.models import Customer, CustomerStatusChange, CustomField, Zone

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"


def api(user) -> APIClient:
    """A client signed in as a fresh copy of ``user`` (no cached keys or scope)."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def grant(user, *keys):
    user.granted_keys = sorted(keys)
    user.save(update_fields=["granted_keys"])


def customer_rows():
    return db_state(Customer, CustomerStatusChange, ActivityLog, OutboxMessage)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def new_customer_payload(world, **extra):
    payload = {
        "customer_type": "pppoe_monthly",
        "name": "Rahim Uddin",
        "mobile": "01711000001",
        "username": "rahim",
        "package": world.package.pk,
        "billing_profile": world.monthly.pk,
        "zone": world.zone.pk,
    }
    payload.update(extra)
    return payload


# --- list: scope, search, money, queries


def test_operator_lists_its_own_and_its_sub_operators_customers_only(world, other_world):
    own = make_customer(world, owner=world.operator)
    subs = make_customer(world, owner=world.sub_operator)
    other_reseller = make_customer(world, owner=world.operator2)
    admins = make_customer(world, owner=world.admin)
    make_customer(other_world, owner=other_world.operator)
    make_customer(world, owner=world.operator, deleted_at="2026-01-01T00:00:00Z")

    assert ids(api(world.operator).get(CUSTOMERS)) == sorted([own.pk, subs.pk])
    assert ids(api(world.sub_operator).get(CUSTOMERS)) == [subs.pk]
    assert ids(api(world.admin).get(CUSTOMERS)) == sorted(
        [own.pk, subs.pk, other_reseller.pk, admins.pk]
    )


def test_customer_list_searches_filters_and_sorts_through_the_selector(world):
    make_customer(world, name="Karim Ahmed", username="karim")
    suspended = make_customer(world, name="Rahim Uddin", username="rahim", status="suspended")
    make_customer(world, name="Salma Begum", username="salma")

    client = api(world.operator)
    assert ids(client.get(CUSTOMERS, {"q": "rahim"})) == [suspended.pk]
    assert ids(client.get(CUSTOMERS, {"status": "suspended"})) == [suspended.pk]
    names = [r["name"] for r in client.get(CUSTOMERS, {"sort": "name"}).json()["results"]]
    assert names == ["Karim Ahmed", "Rahim Uddin", "Salma Begum"]


def test_customer_output_has_owner_package_price_and_custom_fields(world):
    customer = make_customer(world, owner=world.operator, custom_fields={"floor": "3"})
    world.operator.operator_packages.filter(master_package=world.package).update(
        customer_price=Decimal("750.00")
    )

    row = api(world.operator).get(f"{CUSTOMERS}{customer.pk}/").json()

    assert row["owner"] == world.operator.pk and row["owner_name"] == world.operator.name
    assert row["package"] == world.package.pk and row["package_name"] == "Home 10M"
    assert row["zone_name"] == "North"
    assert row["price"] == "750.00"
    assert row["custom_price"] is None
    assert row["password"] == "secret12"
    assert row["status"] == "active" and row["connection_type"] == "pppoe"
    assert row["custom_fields"] == {"floor": "3"}


def test_noc_lists_customers_without_prices_or_passwords(world):
    make_customer(world, owner=world.operator, custom_price=Decimal("500.00"))

    rows = api(world.noc).get(CUSTOMERS).json()["results"]

    assert len(rows) == 1
    assert rows[0]["price"] is None
    assert rows[0]["custom_price"] is None
    assert rows[0]["password"] is None


def test_noc_cannot_open_a_customers_details(world):
    customer = make_customer(world)
    assert api(world.noc).get(f"{CUSTOMERS}{customer.pk}/").status_code == 403


def test_customer_list_query_count_does_not_grow_with_the_rows(world):
    client = api(world.admin)
    make_customer(world, owner=world.operator)
    make_customer(world, owner=world.admin, zone=None)
    client.get(CUSTOMERS)  # warm the caller's caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(CUSTOMERS).status_code == 200
    for owner in (world.operator, world.operator2, world.sub_operator, world.admin) * 3:
        make_customer(world, owner=owner, vat_profile=world.vat)
    with CaptureQueriesContext(connection) as many:
        response = client.get(CUSTOMERS)
    assert response.json()["count"] == 14
    assert len(many) == len(few)


# --- other scope: 404 everywhere, nothing changed

OBJECT_REQUESTS = [
    ("get", "", None),
    ("patch", "", {"name": "Changed"}),
    ("delete", "", {"password": PASSWORD}),
    ("post", "activate/", {}),
    ("post", "suspend/", {"reason": "x"}),
    ("post", "disable/", {"reason": "x"}),
    ("post", "change-package/", {"package": "PACKAGE2"}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), OBJECT_REQUESTS)
def test_another_tenants_customer_answers_404_and_is_untouched(
    world, other_world, method, suffix, body
):
    theirs = make_customer(other_world, owner=other_world.operator, status="suspended")
    if body and body.get("package") == "PACKAGE2":
        body = {"package": world.package2.pk}
    before = customer_rows()

    response = getattr(api(world.admin), method)(f"{CUSTOMERS}{theirs.pk}/{suffix}", body)

    assert response.status_code == 404
    assert customer_rows() == before


@pytest.mark.parametrize(("method", "suffix", "body"), OBJECT_REQUESTS)
def test_another_resellers_customer_answers_404_and_is_untouched(world, method, suffix, body):
    theirs = make_customer(world, owner=world.operator2, status="suspended")
    if body and body.get("package") == "PACKAGE2":
        body = {"package": world.package2.pk}
    before = customer_rows()

    response = getattr(api(world.operator), method)(f"{CUSTOMERS}{theirs.pk}/{suffix}", body)

    assert response.status_code == 404
    assert customer_rows() == before


# --- keys: 403 without, effect with


def _requests(world, customer):
    return {
        "list": ("get", CUSTOMERS, None),
        "retrieve": ("get", f"{CUSTOMERS}{customer.pk}/", None),
        "create": ("post", CUSTOMERS, new_customer_payload(world)),
        "update": ("patch", f"{CUSTOMERS}{customer.pk}/", {"name": "New Name"}),
        "delete": ("delete", f"{CUSTOMERS}{customer.pk}/", {"password": PASSWORD}),
        "activate": ("post", f"{CUSTOMERS}{customer.pk}/activate/", {}),
        "suspend": ("post", f"{CUSTOMERS}{customer.pk}/suspend/", {"reason": "unpaid"}),
        "disable": ("post", f"{CUSTOMERS}{customer.pk}/disable/", {"reason": "left"}),
        "change-package": (
            "post",
            f"{CUSTOMERS}{customer.pk}/change-package/",
            {"package": world.package2.pk},
        ),
        "bulk": (
            "post",
            f"{CUSTOMERS}bulk/",
            {"ids": [customer.pk], "action": "zone", "value": None},
        ),
    }


KEY_OF = {
    "list": "view-customer-details",
    "retrieve": "view-customer-details",
    "create": "create-customer",
    "update": "edit-customer",
    "delete": "delete-customer",
    "activate": "activate-customer",
    "suspend": "suspend-customer",
    "disable": "disable-customer",
    "change-package": "change-customer-package",
    "bulk": "bulk-update-customers",
}


@pytest.mark.parametrize("name", sorted(KEY_OF))
def test_manager_without_the_key_gets_403_and_nothing_changed(world, name):
    customer = make_customer(world, owner=world.operator, status="suspended")
    grant(world.op_manager, *(set(KEY_OF.values()) - {KEY_OF[name]}))
    method, url, body = _requests(world, customer)[name]
    before = customer_rows()

    response = getattr(api(world.op_manager), method)(url, body)

    assert response.status_code == 403
    assert customer_rows() == before


@pytest.mark.parametrize("name", sorted(KEY_OF))
def test_manager_with_only_the_key_may_act_on_its_parents_customer(world, name):
    customer = make_customer(world, owner=world.operator, status="suspended")
    grant(world.op_manager, KEY_OF[name], "edit-customer", "activate-customer")
    method, url, body = _requests(world, customer)[name]

    response = getattr(api(world.op_manager), method)(url, body)

    assert response.status_code in (200, 201, 204), response.content
    customer.refresh_from_db()
    expected = {
        "update": lambda: customer.name == "New Name",
        "delete": lambda: customer.deleted_at is not None,
        "activate": lambda: customer.status == "active",
        "suspend": lambda: customer.status == "suspended",
        "disable": lambda: customer.status == "disabled",
        "change-package": lambda: customer.package_id == world.package2.pk,
        "bulk": lambda: customer.zone_id is None,
        "create": lambda: Customer.objects.get(username="rahim").owner_id == world.operator.pk,
        "list": lambda: response.json()["results"][0]["id"] == customer.pk,
        "retrieve": lambda: response.json()["id"] == customer.pk,
    }[name]
    assert expected()


def test_search_customers_key_alone_lists_customers(world):
    customer = make_customer(world, owner=world.operator)
    grant(world.op_manager, "search-customers")
    assert ids(api(world.op_manager).get(CUSTOMERS)) == [customer.pk]


def test_switched_off_customers_section_refuses_the_operator(world):
    make_customer(world, owner=world.operator)
    world.operator.disabled_sections = ["customers"]
    world.operator.save(update_fields=["disabled_sections"])
    assert api(world.operator).get(CUSTOMERS).status_code == 403


# --- create / update / delete / actions


def test_operator_creates_a_customer_through_the_service(world):
    response = api(world.operator).post(CUSTOMERS, new_customer_payload(world, password="pw123456"))

    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.owner_id, customer.username, customer.password) == (
        world.operator.pk,
        "rahim",
        "pw123456",
    )
    assert body["owner_name"] == world.operator.name and body["price"] == "800.00"
    assert list(customer.status_changes.values_list("to_status", flat=True)) == ["active"]
    assert sorted(m.payload["event"] for m in OutboxMessage.objects.all()) == [
        "bill.created",
        "customer.welcome",
    ]


def test_admin_creates_a_customer_for_an_operator(world):
    payload = new_customer_payload(world, owner=world.sub_operator.pk)
    response = api(world.admin).post(CUSTOMERS, payload)
    assert response.status_code == 201, response.content
    assert Customer.objects.get().owner_id == world.sub_operator.pk


def test_operator_cannot_name_another_resellers_account_as_owner(world):
    before = customer_rows()
    response = api(world.operator).post(
        CUSTOMERS, new_customer_payload(world, owner=world.operator2.pk)
    )
    assert response.status_code == 400
    assert "Invalid pk" in response.json()["owner"][0]
    assert customer_rows() == before


def test_missing_required_fields_are_each_named(world):
    response = api(world.operator).post(CUSTOMERS, {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == [
        "billing_profile",
        "customer_type",
        "mobile",
        "name",
        "package",
        "username",
    ]


def test_duplicate_username_is_a_400_naming_username(world):
    make_customer(world, owner=world.operator2, username="rahim")
    before = customer_rows()
    response = api(world.operator).post(CUSTOMERS, new_customer_payload(world))
    assert response.status_code == 400
    assert list(response.json()) == ["username"]
    assert customer_rows() == before


def test_bad_mobile_is_a_400_naming_mobile(world):
    response = api(world.operator).post(CUSTOMERS, new_customer_payload(world, mobile="12ab"))
    assert response.status_code == 400
    assert list(response.json()) == ["mobile"]


def test_package_of_another_tenant_is_a_400_naming_package(world, other_world):
    before = customer_rows()
    response = api(world.operator).post(
        CUSTOMERS,
        new_customer_payload(world, package=other_world.package.pk, zone=other_world.zone.pk),
    )
    assert response.status_code == 400
    body = response.json()
    assert sorted(body) == ["package", "zone"]
    assert body["package"] == [f'Invalid pk "{other_world.package.pk}" - object does not exist.']
    assert customer_rows() == before


def test_package_not_assigned_to_the_operator_is_a_400_naming_package(world):
    from netbill.catalog.models import MasterPackage

    unassigned = MasterPackage.objects.create(
        tenant=world.tenant, name="Biz 50M", price=3000, download_kbps=51200, upload_kbps=51200
    )
    response = api(world.operator).post(
        CUSTOMERS, new_customer_payload(world, package=unassigned.pk)
    )
    assert response.status_code == 400
    assert list(response.json()) == ["package"]


def test_custom_field_of_the_wrong_type_is_a_400_naming_it(world):
    CustomField.objects.create(tenant=world.tenant, name="Floor", key="floor", field_type="number")
    CustomField.objects.create(
        tenant=world.tenant, name="Joined", key="joined", field_type="date", mandatory=True
    )
    before = customer_rows()
    response = api(world.operator).post(
        CUSTOMERS, new_customer_payload(world, custom_fields={"floor": "third"})
    )
    assert response.status_code == 400
    assert sorted(response.json()) == ["custom_fields.floor", "custom_fields.joined"]
    assert customer_rows() == before

    response = api(world.operator).post(
        CUSTOMERS, new_customer_payload(world, custom_fields={"floor": "3", "joined": "2026-01-31"})
    )
    assert response.status_code == 201, response.content
    assert response.json()["custom_fields"] == {"floor": "3", "joined": "2026-01-31"}


def test_patch_changes_only_the_given_fields(world):
    CustomField.objects.create(tenant=world.tenant, name="Floor", key="floor", field_type="number")
    customer = make_customer(world, owner=world.operator, custom_fields={"floor": "2"})
    response = api(world.operator).patch(
        f"{CUSTOMERS}{customer.pk}/", {"mobile": "01799999999", "custom_fields": {"floor": 5}}
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.mobile, customer.custom_fields) == ("01799999999", {"floor": "5"})
    assert customer.name.startswith("Customer ")
    after = ActivityLog.objects.get(action="customer.update").after
    assert (after["mobile"], after["custom_fields"]) == ("01799999999", {"floor": "5"})
    assert "name" not in after


def test_patch_cannot_change_the_package_or_the_owner(world):
    customer = make_customer(world, owner=world.operator)
    response = api(world.admin).patch(
        f"{CUSTOMERS}{customer.pk}/", {"package": world.package2.pk, "owner": world.operator2.pk}
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.package_id, customer.owner_id) == (world.package.pk, world.operator.pk)


def test_delete_with_a_wrong_password_is_a_400_and_nothing_changed(world):
    customer = make_customer(world, owner=world.operator)
    before = customer_rows()
    client = api(world.operator)
    assert client.delete(f"{CUSTOMERS}{customer.pk}/", {}).json() == {
        "password": ["This field is required."]
    }
    response = client.delete(f"{CUSTOMERS}{customer.pk}/", {"password": "wrong"})
    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert customer_rows() == before


def test_delete_with_the_password_soft_deletes_and_hides_the_customer(world):
    customer = make_customer(world, owner=world.operator)
    client = api(world.operator)

    response = client.delete(f"{CUSTOMERS}{customer.pk}/", {"password": PASSWORD, "reason": "left"})

    assert response.status_code == 204
    customer.refresh_from_db()
    assert customer.deleted_by_id == world.operator.pk
    assert client.get(f"{CUSTOMERS}{customer.pk}/").status_code == 404
    assert ids(client.get(CUSTOMERS)) == []


def test_suspend_records_status_history_with_reason(world):
    customer = make_customer(world, owner=world.operator)
    response = api(world.operator).post(f"{CUSTOMERS}{customer.pk}/suspend/", {"reason": "unpaid"})
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    change = CustomerStatusChange.objects.get(customer=customer)
    assert (change.from_status, change.to_status, change.reason, change.actor_id) == (
        "active",
        "suspended",
        "unpaid",
        world.operator.pk,
    )


def test_change_package_to_another_tenants_package_is_a_400(world, other_world):
    customer = make_customer(world, owner=world.operator)
    before = customer_rows()
    response = api(world.operator).post(
        f"{CUSTOMERS}{customer.pk}/change-package/", {"package": other_world.package2.pk}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["package"]
    assert customer_rows() == before


def test_change_package_moves_the_customer(world):
    customer = make_customer(world, owner=world.operator)
    response = api(world.operator).post(
        f"{CUSTOMERS}{customer.pk}/change-package/",
        {"package": world.package2.pk, "reason": "upgrade"},
    )
    assert response.status_code == 200
    assert (response.json()["package"], response.json()["price"]) == (world.package2.pk, "1200.00")


def test_bulk_status_reports_failures_per_customer(world, other_world):
    mine = make_customer(world, owner=world.operator)
    subs = make_customer(world, owner=world.sub_operator)
    deleted = make_customer(world, owner=world.operator, deleted_at="2026-01-01T00:00:00Z")
    theirs = make_customer(other_world, owner=other_world.operator)

    response = api(world.operator).post(
        f"{CUSTOMERS}bulk/",
        {
            "ids": [mine.pk, subs.pk, deleted.pk, theirs.pk],
            "action": "status",
            "value": "suspended",
            "reason": "audit",
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["updated"] == [mine.pk, subs.pk]
    assert [f["id"] for f in body["failed"]] == [deleted.pk, theirs.pk]
    assert body["failed"][1] == {"id": theirs.pk, "username": None, "error": "No such customer."}
    assert set(Customer.objects.filter(status="suspended").values_list("pk", flat=True)) == {
        mine.pk,
        subs.pk,
    }


def test_bulk_over_a_filter_changes_the_matching_customers(world):
    north = make_customer(world, owner=world.operator, status="suspended")
    make_customer(world, owner=world.operator)
    south = Zone.objects.create(tenant=world.tenant, name="South")

    response = api(world.operator).post(
        f"{CUSTOMERS}bulk/",
        {"filter": {"status": "suspended"}, "action": "zone", "value": south.pk},
    )

    assert response.json() == {"updated": [north.pk], "failed": []}
    assert list(Customer.objects.filter(zone=south).values_list("pk", flat=True)) == [north.pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "status", "value": "suspended"}, "ids"),
        ({"ids": [1], "action": "rename", "value": "x"}, "action"),
        ({"ids": [1], "action": "status", "value": "fup"}, "value"),
        ({"ids": [1], "action": "package", "value": "PACKAGE"}, "value"),
    ],
)
def test_bad_bulk_payload_is_a_400_naming_the_field(world, other_world, payload, field):
    if payload["value"] == "PACKAGE":
        payload["value"] = other_world.package.pk
    response = api(world.admin).post(f"{CUSTOMERS}bulk/", payload)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_real_api_token_authenticates_the_customer_list(world):
    customer = make_customer(world, owner=world.operator)
    _token, key = api_token_create(user=world.operator, name="billing sync")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert ids(client.get(CUSTOMERS)) == [customer.pk]


def test_anonymous_request_is_a_401(world):
    assert APIClient().get(CUSTOMERS).status_code == 401


# --- zones and custom fields


def test_zones_are_listed_per_tenant_and_written_by_the_group_admin(world, other_world):
    client = api(world.admin)
    response = client.post("/api/v1/zones/", {"name": "South", "description": "river side"})
    assert response.status_code == 201
    south = Zone.objects.get(pk=response.json()["id"])
    assert south.tenant_id == world.tenant.pk

    rows = api(world.operator).get("/api/v1/zones/").json()["results"]
    assert [r["name"] for r in rows] == ["North", "South"]
    before = db_state(Zone, ActivityLog)
    theirs = f"/api/v1/zones/{other_world.zone.pk}/"
    assert client.get(theirs).status_code == 404
    assert client.patch(theirs, {"name": "Mine now"}).status_code == 404
    assert client.delete(theirs).status_code == 404
    assert db_state(Zone, ActivityLog) == before
    assert client.delete(f"/api/v1/zones/{south.pk}/").status_code == 204
    assert not Zone.objects.filter(pk=south.pk).exists()


def test_operator_without_manage_zones_gets_403_and_nothing_changed(world):
    before = db_state(Zone, ActivityLog)
    client = api(world.operator)
    assert client.post("/api/v1/zones/", {"name": "South"}).status_code == 403
    assert client.patch(f"/api/v1/zones/{world.zone.pk}/", {"name": "X"}).status_code == 403
    assert client.delete(f"/api/v1/zones/{world.zone.pk}/").status_code == 403
    assert db_state(Zone, ActivityLog) == before


def test_zone_with_customers_cannot_be_deleted(world):
    make_customer(world)
    response = api(world.admin).delete(f"/api/v1/zones/{world.zone.pk}/")
    assert response.status_code == 400
    assert list(response.json()) == ["zone"]


def test_custom_fields_are_created_by_the_group_admin_and_validated(world, other_world):
    client = api(world.admin)
    response = client.post(
        "/api/v1/custom-fields/",
        {"name": "Building", "key": "building", "field_type": "dropdown", "choices": ["A", "B"]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["choices"] == ["A", "B"]

    response = client.post(
        "/api/v1/custom-fields/",
        {"name": "Tower", "key": "tower", "field_type": "dropdown", "choices": []},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["choices"]

    field = CustomField.objects.get(key="building")
    response = client.patch(f"/api/v1/custom-fields/{field.pk}/", {"key": "bldg"})
    assert response.status_code == 400
    assert list(response.json()) == ["key"]

    theirs = CustomField.objects.create(tenant=other_world.tenant, name="X", key="x")
    before = db_state(CustomField, ActivityLog)
    assert client.get(f"/api/v1/custom-fields/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/v1/custom-fields/{theirs.pk}/", {"name": "Y"}).status_code == 404
    assert client.delete(f"/api/v1/custom-fields/{theirs.pk}/").status_code == 404
    assert (
        api(world.operator).post("/api/v1/custom-fields/", {"name": "Y", "key": "y"}).status_code
        == 403
    )
    field = CustomField.objects.get(key="building")
    assert api(world.operator).delete(f"/api/v1/custom-fields/{field.pk}/").status_code == 403
    assert db_state(CustomField, ActivityLog) == before


@pytest.fixture(autouse=True)
def _funded_resellers(request):
    """Customers' first bills charge their prepaid resellers: fund them."""
    if "world" in request.fixturenames:
        from netbill.core.testing import fund_resellers

        fund_resellers(request.getfixturevalue("world"))
    if "other_world" in request.fixturenames:
        from netbill.core.testing import fund_resellers

        fund_resellers(request.getfixturevalue("other_world"))
