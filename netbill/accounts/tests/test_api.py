"""REST API v1: personal API tokens and staff accounts (keys, sections)."""

import pytest
from rest_framework.test import APIClient

from netbill.accounts.models import ApiToken, User
from netbill.accounts.services import api_token_create
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_platform_admin

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"
STAFF = "/api/v1/staff/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def staff_rows():
    return db_state(User, ActivityLog)


# --- tokens


def test_token_created_over_the_api_is_shown_once_and_authenticates(world):
    response = api(world.operator).post(TOKENS, {"name": "billing sync"})

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert body["key"].startswith(body["prefix"]) and token.key_hash == ApiToken.hash_key(
        body["key"]
    )
    assert token.user_id == world.operator.pk

    client = token_client(body["key"])
    listed = client.get(TOKENS).json()["results"]
    assert [(t["id"], t["name"]) for t in listed] == [(token.pk, "billing sync")]
    assert "key" not in listed[0]


def test_revoked_token_gets_401(world):
    token, key = api_token_create(user=world.operator, name="old script")
    client = token_client(key)
    assert client.get(TOKENS).status_code == 200

    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 204

    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get(TOKENS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_unknown_token_gets_401():
    assert token_client("nb_not-a-real-key").get(TOKENS).status_code == 401


def test_disabled_account_token_gets_401(world):
    _token, key = api_token_create(user=world.operator, name="script")
    User.objects.filter(pk=world.operator.pk).update(is_active=False)
    assert token_client(key).get(TOKENS).status_code == 401


def test_tokens_are_personal(world):
    theirs, _key = api_token_create(user=world.operator2, name="theirs")
    mine, _key = api_token_create(user=world.operator, name="mine")
    client = api(world.operator)
    assert [t["id"] for t in client.get(TOKENS).json()["results"]] == [mine.pk]
    assert client.delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_token_without_a_name_is_a_400_naming_name(world):
    response = api(world.operator).post(TOKENS, {"name": ""})
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert ApiToken.objects.count() == 0


# --- staff accounts


def test_operator_sees_itself_its_sub_operators_and_their_managers_only(world, other_world):
    ids = [row["id"] for row in api(world.operator).get(STAFF).json()["results"]]
    assert sorted(ids) == sorted([world.operator.pk, world.sub_operator.pk, world.op_manager.pk])


def test_sales_manager_lists_operators(world):
    ids = [row["id"] for row in api(world.sales).get(STAFF).json()["results"]]
    assert sorted(ids) == sorted([world.operator.pk, world.operator2.pk])


def test_manager_without_manage_staff_gets_403(world):
    assert api(world.op_manager).get(STAFF).status_code == 403


def test_another_tenants_account_answers_404(world, other_world):
    client = api(world.admin)
    assert client.get(f"{STAFF}{other_world.operator.pk}/").status_code == 404
    before = staff_rows()
    assert client.patch(f"{STAFF}{other_world.operator.pk}/", {"name": "X"}).status_code == 404
    assert (
        client.put(
            f"{STAFF}{other_world.op_manager.pk}/keys/", {"keys": ["receive-payment"]}
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"{STAFF}{other_world.operator.pk}/sections/", {"disabled_sections": ["bills"]}
        ).status_code
        == 404
    )
    assert staff_rows() == before


def test_operator_creates_a_sub_operator_under_itself(world):
    response = api(world.operator).post(
        STAFF,
        {
            "role": "sub_operator",
            "email": "Area5@Alpha.test",
            "name": "Area 5",
            "password": "long-enough-pw",
            "account_type": "postpaid",
            "credit_limit": "5000.00",
        },
    )

    assert response.status_code == 201, response.content
    user = User.objects.get(pk=response.json()["id"])
    assert (user.email, user.role, user.parent_id, user.account_type, str(user.credit_limit)) == (
        "area5@alpha.test",
        "sub_operator",
        world.operator.pk,
        "postpaid",
        "5000.00",
    )
    assert user.check_password("long-enough-pw")


def test_operator_cannot_create_an_operator_and_nothing_changed(world):
    before = staff_rows()
    response = api(world.operator).post(
        STAFF,
        {"role": "operator", "email": "x@alpha.test", "name": "X", "password": "long-enough-pw"},
    )
    assert response.status_code == 403
    assert staff_rows() == before


def test_duplicate_email_and_missing_fields_are_400s_naming_the_field(world):
    client = api(world.admin)
    response = client.post(
        STAFF,
        {
            "role": "manager",
            "email": world.operator.email.upper(),
            "name": "Dup",
            "password": "long-enough-pw",
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["email"]

    response = client.post(STAFF, {}, format="json")
    assert sorted(response.json()) == ["email", "name", "password", "role"]


def test_parent_outside_the_scope_is_a_400_naming_parent(world, other_world):
    response = api(world.operator).post(
        STAFF,
        {
            "role": "manager",
            "email": "m@alpha.test",
            "name": "M",
            "password": "long-enough-pw",
            "parent": world.operator2.pk,
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]


def test_operator_edits_its_sub_operator(world):
    response = api(world.operator).patch(
        f"{STAFF}{world.sub_operator.pk}/", {"name": "Renamed", "is_active": False}
    )
    assert response.status_code == 200, response.content
    world.sub_operator.refresh_from_db()
    assert (world.sub_operator.name, world.sub_operator.is_active) == ("Renamed", False)


def test_operator_grants_its_manager_keys(world):
    response = api(world.operator).put(
        f"{STAFF}{world.op_manager.pk}/keys/",
        {"keys": ["receive-payment", "view-customer-details"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["granted_keys"] == ["receive-payment", "view-customer-details"]
    world.op_manager.refresh_from_db()
    assert world.op_manager.granted_keys == ["receive-payment", "view-customer-details"]


def test_key_not_grantable_is_a_400_naming_keys(world):
    before = staff_rows()
    client = api(world.operator)
    response = client.put(f"{STAFF}{world.op_manager.pk}/keys/", {"keys": ["manage-catalog"]})
    assert response.status_code == 400
    assert list(response.json()) == ["keys"]
    response = client.put(f"{STAFF}{world.op_manager.pk}/keys/", {"keys": ["no-such-key"]})
    assert response.status_code == 400
    assert list(response.json()) == ["keys"]
    assert staff_rows() == before


def test_operator_cannot_change_another_operators_manager(world):
    other_manager = User.objects.create(
        tenant=world.tenant,
        role="manager",
        parent=world.operator2,
        email="m2@alpha.test",
        name="M2",
    )
    before = staff_rows()
    response = api(world.operator).put(f"{STAFF}{other_manager.pk}/keys/", {"keys": []})
    assert response.status_code == 404
    assert staff_rows() == before


def test_group_admin_switches_off_an_operators_section_and_its_api_follows(world):
    world.op_manager.granted_keys = ["view-customer-details"]
    world.op_manager.save(update_fields=["granted_keys"])
    assert api(world.op_manager).get("/api/v1/customers/").status_code == 200

    response = api(world.admin).put(
        f"{STAFF}{world.operator.pk}/sections/", {"disabled_sections": ["customers"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["disabled_sections"] == ["customers"]
    assert api(world.operator).get("/api/v1/customers/").status_code == 403
    assert api(world.op_manager).get("/api/v1/customers/").status_code == 403


def test_unknown_section_is_a_400_naming_it(world):
    response = api(world.admin).put(
        f"{STAFF}{world.operator.pk}/sections/", {"disabled_sections": ["nope"]}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["disabled_sections"]


def test_permission_keys_endpoint_says_which_keys_the_caller_holds(world):
    rows = api(world.noc).get("/api/v1/permission-keys/").json()
    held = {row["key"] for row in rows if row["held"]}
    assert "view-routers" in held and "receive-payment" not in held
    assert {row["key"]: row["section"] for row in rows}["receive-payment"] == "payments"


def test_platform_admin_creates_a_token_and_creates_an_isp_with_it(db):
    admin = make_platform_admin()
    response = api(admin).post(TOKENS, {"name": "provisioning"})
    assert response.status_code == 201
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    created = client.post(
        "/api/v1/tenants/",
        {
            "name": "Gamma Net",
            "admin_email": "gamma@isp.test",
            "admin_name": "Gamma Admin",
            "admin_password": "long-enough-pass-1",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "Gamma Net"
