"""The customer panel through the Django test client: list, profile, forms, actions, bulk
update, zones and custom fields — with the permission keys and the scope."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netbill.catalog.models import MasterPackage, OperatorPackage
from netbill.core import permissions as P
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.testing import PASSWORD, db_state, make_customer
from netbill.customers import services
from netbill.customers.models import Customer, CustomerStatusChange, CustomField, Zone

pytestmark = pytest.mark.django_db

ROW = re.compile(r'data-customer="([^"]+)"')


def rows(response) -> list[str]:
    """Usernames of the customer rows, in page order."""
    return ROW.findall(response.content.decode())


def errors_for(response, field: str) -> list[str]:
    html = response.content.decode()
    return re.findall(rf'data-error-for="{field}">([^<]*)<', html)


def as_user(client, user):
    client.force_login(user)
    return client


def grant(user, *keys):
    user.granted_keys = sorted(keys)
    user.save(update_fields=["granted_keys"])
    return user


def form_data(world, **extra):
    data = {
        "customer_type": "pppoe_monthly",
        "name": "Rahim Uddin",
        "mobile": "01711000001",
        "package": world.package.pk,
        "billing_profile": world.monthly.pk,
        "username": "rahim",
        "password": "",
        "zone": world.zone.pk,
    }
    data.update(extra)
    return data


def state():
    return db_state(Customer, CustomerStatusChange, ActivityLog, OutboxMessage)


# --- list -------------------------------------------------------------------------------------


@pytest.fixture
def listed(world):
    """Four customers of the operator, one of its sub-operator, one of operator2."""
    south = Zone.objects.create(tenant=world.tenant, name="South")
    return {
        "ana": make_customer(
            world, name="Ana Karim", username="ana", mobile="01811000001", static_ip="10.20.0.5"
        ),
        "bilal": make_customer(
            world,
            name="Bilal Hossain",
            username="bilal",
            mobile="01911000002",
            status="suspended",
            zone=south,
            package=world.package2,
        ),
        "chandra": make_customer(
            world,
            name="Chandra Das",
            username="chandra",
            mobile="01711000003",
            customer_type="pppoe_daily",
            billing_profile=world.daily,
        ),
        "dina": make_customer(
            world,
            name="Dina Karim",
            username="dina",
            mobile="01711000004",
            status="disabled",
            static_ip="10.30.0.9",
        ),
        "sub": make_customer(
            world,
            owner=world.sub_operator,
            name="Sub Customer",
            username="subcust",
            mobile="01711000005",
        ),
        "other": make_customer(
            world,
            owner=world.operator2,
            name="Other Karim",
            username="otherk",
            mobile="01711000006",
        ),
        "south": south,
    }


def test_operator_list_shows_own_and_sub_operator_customers_newest_first(client, world, listed):
    response = as_user(client, world.operator).get(reverse("customers:list"))

    assert response.status_code == 200
    assert rows(response) == ["subcust", "dina", "chandra", "bilal", "ana"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("karim", ["dina", "ana"]),  # name, case-insensitive, contains
        ("01911", ["bilal"]),  # mobile prefix
        ("01711000003", ["chandra"]),  # mobile exact
        ("CHAN", ["chandra"]),  # username prefix, any case
        ("10.20.0.5", ["ana"]),  # static IP exact
        ("10.30.", ["dina"]),  # static IP prefix
        ("nobody", []),
    ],
)
def test_list_search_matches_name_mobile_username_and_ip(client, world, listed, q, expected):
    response = as_user(client, world.operator).get(reverse("customers:list"), {"q": q})

    assert rows(response) == expected


def test_list_filters_by_status_zone_package_owner_and_type(client, world, listed):
    c = as_user(client, world.operator)
    url = reverse("customers:list")

    assert rows(c.get(url, {"status": "suspended"})) == ["bilal"]
    assert rows(c.get(url, {"zone": listed["south"].pk})) == ["bilal"]
    assert rows(c.get(url, {"package": world.package2.pk})) == ["bilal"]
    assert rows(c.get(url, {"owner": world.sub_operator.pk})) == ["subcust"]
    assert rows(c.get(url, {"customer_type": "pppoe_daily"})) == ["chandra"]
    assert rows(c.get(url, {"status": "active", "q": "karim"})) == ["ana"]
    # another reseller as the owner filter finds nothing rather than its customers
    assert rows(c.get(url, {"owner": world.operator2.pk})) == []


def test_list_sorts_by_whitelisted_columns_and_ignores_others(client, world, listed):
    c = as_user(client, world.operator)
    url = reverse("customers:list")

    assert rows(c.get(url, {"sort": "name"})) == ["ana", "bilal", "chandra", "dina", "subcust"]
    assert rows(c.get(url, {"sort": "-username"})) == ["subcust", "dina", "chandra", "bilal", "ana"]
    assert rows(c.get(url, {"sort": "created_at"})) == [
        "ana",
        "bilal",
        "chandra",
        "dina",
        "subcust",
    ]
    assert rows(c.get(url, {"sort": "status"})) == ["ana", "chandra", "subcust", "dina", "bilal"]
    assert rows(c.get(url, {"sort": "password"})) == ["subcust", "dina", "chandra", "bilal", "ana"]


def test_list_paginates_fifty_per_page(client, world):
    Customer.objects.bulk_create(
        [
            Customer(
                tenant=world.tenant,
                owner=world.operator,
                name=f"Bulk {i:03d}",
                mobile=f"0170000{i:04d}",
                customer_type="pppoe_monthly",
                package=world.package,
                billing_profile=world.monthly,
                username=f"bulk{i:03d}",
                password="x",
            )
            for i in range(53)
        ]
    )
    c = as_user(client, world.operator)

    first = c.get(reverse("customers:list"), {"sort": "username"})
    second = c.get(reverse("customers:list"), {"sort": "username", "page": 2})

    assert rows(first) == [f"bulk{i:03d}" for i in range(50)]
    assert rows(second) == ["bulk050", "bulk051", "bulk052"]
    assert "?sort=username&page=2" in first.content.decode()


def _list_queries(client, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("customers:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["operator", "admin", "noc"])
def test_list_query_count_does_not_grow_with_page_size(client, world, role):
    user = getattr(world, role)
    c = as_user(client, user)
    for _ in range(5):
        make_customer(world, custom_price=Decimal("500.00"))
    few = _list_queries(c, user)
    for _ in range(25):
        make_customer(world, owner=world.sub_operator, package=world.package2)

    many = _list_queries(c, user)

    assert len(rows(c.get(reverse("customers:list")))) == 30
    assert many == few


def test_list_prices_match_customer_price_service(client, world):
    custom = make_customer(world, custom_price=Decimal("555.00"))
    reseller = make_customer(world)
    OperatorPackage.objects.filter(operator=world.operator, master_package=world.package).update(
        customer_price=Decimal("750.00")
    )
    admin_owned = make_customer(world, owner=world.admin)

    html = as_user(client, world.admin).get(reverse("customers:list")).content.decode()

    prices = dict(re.findall(r'data-customer="([^"]+)">.*?data-price>([^<]+)<', html, re.S))
    assert prices == {
        custom.username: "555.00",
        reseller.username: "750.00",
        admin_owned.username: "800.00",
    }
    for customer in (custom, reseller, admin_owned):
        assert str(services.customer_price(customer)) == prices[customer.username]


def test_noc_sees_the_list_without_price_column(client, world, listed):
    response = as_user(client, world.noc).get(reverse("customers:list"), {"sort": "username"})

    assert rows(response) == ["ana", "bilal", "chandra", "dina", "otherk", "subcust"]
    assert "data-price" not in response.content.decode()


def test_sales_manager_without_list_keys_gets_403(client, world):
    assert as_user(client, world.sales).get(reverse("customers:list")).status_code == 403


def test_operator_filter_choices_are_its_own_scope(client, world, listed):
    extra = MasterPackage.objects.create(
        tenant=world.tenant, name="Admin only", price=1, download_kbps=1024, upload_kbps=1024
    )

    response = as_user(client, world.operator).get(reverse("customers:list"))

    form = response.context["filter_form"]
    assert set(form.fields["owner"].queryset) == {world.operator, world.sub_operator}
    assert set(form.fields["package"].queryset) == {world.package, world.package2}
    assert extra not in form.fields["package"].queryset
    admin_form = as_user(client, world.admin).get(reverse("customers:list")).context["filter_form"]
    assert set(admin_form.fields["owner"].queryset) == {
        world.admin,
        world.operator,
        world.operator2,
        world.sub_operator,
    }


def test_list_htmx_request_renders_only_the_table(client, world, listed):
    response = as_user(client, world.operator).get(
        reverse("customers:list"), {"q": "karim"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert rows(response) == ["dina", "ana"]
    assert 'id="customer-table"' in html
    assert "<html" not in html


# --- create -----------------------------------------------------------------------------------


def test_operator_creates_customer_and_sees_generated_password_once(client, world):
    c = as_user(client, world.operator)

    response = c.post(reverse("customers:create"), form_data(world), follow=True)

    customer = Customer.objects.get(username="rahim")
    assert response.redirect_chain == [(reverse("customers:detail", args=[customer.pk]), 302)]
    assert customer.owner == world.operator
    assert customer.zone == world.zone
    assert len(customer.password) == 8
    assert f"Generated password: {customer.password}" in response.content.decode()
    again = c.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Generated password" not in again


def test_create_with_given_password_keeps_it(client, world):
    response = as_user(client, world.operator).post(
        reverse("customers:create"), form_data(world, password="mypass99"), follow=True
    )

    assert Customer.objects.get(username="rahim").password == "mypass99"
    assert "Generated password" not in response.content.decode()


@pytest.fixture
def custom_fields(world):
    return [
        CustomField.objects.create(tenant=world.tenant, name="Road", key="road", mandatory=True),
        CustomField.objects.create(
            tenant=world.tenant, name="Floors", key="floors", field_type="number"
        ),
        CustomField.objects.create(
            tenant=world.tenant,
            name="Tower",
            key="tower",
            field_type="dropdown",
            choices=["T1", "T2"],
        ),
        CustomField.objects.create(
            tenant=world.tenant, name="Since", key="since", field_type="date"
        ),
    ]


def test_create_shows_custom_field_errors_under_their_fields(client, world, custom_fields):
    before = state()

    response = as_user(client, world.operator).post(
        reverse("customers:create"),
        form_data(world, cf_floors="many", cf_tower="T9", cf_since="yesterday"),
    )

    assert response.status_code == 400
    assert errors_for(response, "cf_road") == ["This field is required."]
    assert errors_for(response, "cf_floors") == ["Enter a number."]
    assert errors_for(response, "cf_tower") == [
        "Select a valid choice. T9 is not one of the available choices."
    ]
    assert errors_for(response, "cf_since") == ["Enter a valid date."]
    assert state() == before


def test_create_saves_typed_custom_field_values(client, world, custom_fields):
    as_user(client, world.operator).post(
        reverse("customers:create"),
        form_data(world, cf_road="Road 7", cf_floors="3.5", cf_tower="T2", cf_since="2026-01-31"),
    )

    customer = Customer.objects.get(username="rahim")
    assert customer.custom_fields == {
        "road": "Road 7",
        "floors": "3.5",
        "tower": "T2",
        "since": "2026-01-31",
    }


def test_create_duplicate_username_error_is_under_username(client, world):
    make_customer(world, owner=world.operator2, username="rahim")
    before = state()

    response = as_user(client, world.operator).post(reverse("customers:create"), form_data(world))

    assert response.status_code == 400
    assert errors_for(response, "username") == ["The username “rahim” is already taken."]
    assert state() == before


def test_create_daily_type_with_monthly_profile_is_refused_under_billing_profile(client, world):
    response = as_user(client, world.operator).post(
        reverse("customers:create"), form_data(world, customer_type="pppoe_daily")
    )

    assert response.status_code == 400
    assert errors_for(response, "billing_profile") == [
        "A PPPoE + daily billing customer needs a Daily (prepaid) billing profile."
    ]
    assert not Customer.objects.exists()


def test_group_admin_chooses_a_reseller_owner_but_operator_form_has_no_owner(client, world):
    response = as_user(client, world.admin).post(
        reverse("customers:create"), form_data(world, owner=world.operator2.pk)
    )

    assert response.status_code == 302
    assert Customer.objects.get(username="rahim").owner == world.operator2
    form = as_user(client, world.operator).get(reverse("customers:create")).context["form"]
    assert "owner" not in form.fields


def test_manager_without_create_customer_gets_403(client, world):
    grant(world.op_manager, P.VIEW_CUSTOMER_DETAILS)
    before = state()

    c = as_user(client, world.op_manager)

    assert c.get(reverse("customers:create")).status_code == 403
    assert c.post(reverse("customers:create"), form_data(world)).status_code == 403
    assert state() == before


# --- profile ----------------------------------------------------------------------------------


def test_profile_shows_details_price_custom_fields_and_status_history(client, world):
    CustomField.objects.create(tenant=world.tenant, name="Road", key="road")
    customer = make_customer(world, custom_fields={"road": "Road 7"})
    services.customer_set_status(
        actor=world.operator, customer=customer, status="suspended", reason="Unpaid March"
    )

    response = as_user(client, world.operator).get(reverse("customers:detail", args=[customer.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-history="active->suspended"' in html
    assert "Unpaid March" in html
    assert re.search(r'data-testid="customer-price">800.00 BDT', html)
    assert "Road 7" in html
    assert 'data-status="suspended"' in html
    # the customer is suspended: it can be activated or disabled, not suspended again
    assert re.findall(r'data-status-action="(\w+)"', html) == ["active", "disabled"]


def test_noc_sees_reduced_profile_without_money_or_actions(client, world):
    customer = make_customer(world, custom_price=Decimal("999.00"))

    response = as_user(client, world.noc).get(reverse("customers:detail", args=[customer.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert customer.username in html
    assert "999.00" not in html and "customer-price" not in html
    assert customer.password not in html
    assert 'data-status-action="' not in html
    # its only action is the network one it holds: disconnecting the sessions
    assert re.findall(r'data-action="([\w-]+)"', html) == ["disconnect"]


def test_profile_buttons_follow_the_keys(client, world):
    customer = make_customer(world)
    grant(world.op_manager, P.VIEW_CUSTOMER_DETAILS, P.SUSPEND_CUSTOMER, P.EDIT_CUSTOMER)

    html = (
        as_user(client, world.op_manager)
        .get(reverse("customers:detail", args=[customer.pk]))
        .content.decode()
    )

    assert re.findall(r'data-status-action="(\w+)"', html) == ["suspended"]
    assert re.findall(r'data-action="([\w-]+)"', html) == ["edit"]


# --- status -----------------------------------------------------------------------------------


STATUS_CASES = [
    ("active", P.ACTIVATE_CUSTOMER, "suspended"),
    ("suspended", P.SUSPEND_CUSTOMER, "active"),
    ("disabled", P.DISABLE_CUSTOMER, "active"),
]


@pytest.mark.parametrize(("status", "key", "start"), STATUS_CASES)
def test_status_change_without_its_key_gets_403_and_nothing_changes(
    client, world, status, key, start
):
    customer = make_customer(world, status=start)
    others = {k for _s, k, _st in STATUS_CASES} - {key}
    grant(world.op_manager, P.VIEW_CUSTOMER_DETAILS, *others)
    before = state()

    response = as_user(client, world.op_manager).post(
        reverse("customers:status", args=[customer.pk]), {"status": status, "reason": "x"}
    )

    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize(("status", "key", "start"), STATUS_CASES)
def test_status_change_with_its_key_changes_status_and_history(client, world, status, key, start):
    customer = make_customer(world, status=start)
    grant(world.op_manager, key)

    response = as_user(client, world.op_manager).post(
        reverse("customers:status", args=[customer.pk]), {"status": status, "reason": "Asked"}
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == status
    change = CustomerStatusChange.objects.get(customer=customer)
    assert (change.from_status, change.to_status, change.reason, change.actor) == (
        start,
        status,
        "Asked",
        world.op_manager,
    )


# --- scope ------------------------------------------------------------------------------------


def _customer_urls(customer):
    pk = customer.pk
    return [
        ("get", reverse("customers:detail", args=[pk]), None),
        ("get", reverse("customers:edit", args=[pk]), None),
        ("post", reverse("customers:edit", args=[pk]), {"name": "Hijack"}),
        ("post", reverse("customers:status", args=[pk]), {"status": "disabled"}),
        ("get", reverse("customers:change_package", args=[pk]), None),
        ("post", reverse("customers:delete", args=[pk]), {"password": PASSWORD}),
    ]


def test_other_resellers_customer_answers_404_everywhere(client, world):
    customer = make_customer(world, owner=world.operator2, name="Secret Name")
    before = state()
    c = as_user(client, world.operator)

    for method, url, data in _customer_urls(customer):
        response = getattr(c, method)(url, data or {})
        assert response.status_code == 404, url
        assert "Secret Name" not in response.content.decode()
    assert state() == before


def test_other_tenants_customer_answers_404_everywhere(client, world, other_world):
    customer = make_customer(other_world, owner=other_world.operator, name="Secret Name")
    before = state()
    c = as_user(client, world.admin)

    for method, url, data in _customer_urls(customer):
        response = getattr(c, method)(url, data or {})
        assert response.status_code == 404, url
    assert state() == before
    assert rows(c.get(reverse("customers:list"), {"q": "Secret"})) == []


# --- edit and package -------------------------------------------------------------------------


def test_edit_saves_details_and_custom_fields_keeping_the_password(client, world):
    CustomField.objects.create(tenant=world.tenant, name="Road", key="road")
    customer = make_customer(world, custom_fields={"road": "Old road"})
    c = as_user(client, world.operator)
    form = c.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": "New Name",
            "mobile": "01999000000",
            "cf_road": "New road",
            "custom_price": "650",
            "suspend_date": "2026-05-01",
            "password": "",
        }
    )

    response = c.post(reverse("customers:edit", args=[customer.pk]), data)

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.mobile, customer.password) == (
        "New Name",
        "01999000000",
        "secret12",
    )
    assert customer.custom_fields == {"road": "New road"}
    assert customer.custom_price == Decimal("650.00")
    assert customer.suspend_date == date(2026, 5, 1)
    assert {"customer_type", "username", "owner", "package"}.isdisjoint(form.fields)


def test_edit_form_hides_suspend_date_without_its_key(client, world):
    customer = make_customer(world)
    grant(world.op_manager, P.EDIT_CUSTOMER)

    form = (
        as_user(client, world.op_manager)
        .get(reverse("customers:edit", args=[customer.pk]))
        .context["form"]
    )

    assert "suspend_date" not in form.fields


def test_edit_with_bad_mobile_shows_the_error_and_changes_nothing(client, world):
    customer = make_customer(world)
    before = state()

    response = as_user(client, world.operator).post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": "X", "mobile": "12", "billing_profile": world.monthly.pk},
    )

    assert response.status_code == 400
    assert errors_for(response, "mobile") == ["Enter a mobile number of 6–15 digits."]
    assert state() == before


def test_change_package_offers_the_owners_packages_and_changes_it(client, world):
    customer = make_customer(world)
    MasterPackage.objects.create(
        tenant=world.tenant, name="Unassigned", price=1, download_kbps=1024, upload_kbps=1024
    )
    c = as_user(client, world.admin)

    form = c.get(reverse("customers:change_package", args=[customer.pk])).context["form"]
    response = c.post(
        reverse("customers:change_package", args=[customer.pk]),
        {"package": world.package2.pk, "reason": "Upgrade"},
    )

    assert list(form.fields["package"].queryset) == [world.package2]
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.package == world.package2


def test_change_package_without_key_gets_403(client, world):
    customer = make_customer(world)
    grant(world.op_manager, P.VIEW_CUSTOMER_DETAILS)
    before = state()

    response = as_user(client, world.op_manager).post(
        reverse("customers:change_package", args=[customer.pk]), {"package": world.package2.pk}
    )

    assert response.status_code == 403
    assert state() == before


# --- delete -----------------------------------------------------------------------------------


def test_delete_with_wrong_password_shows_error_and_changes_nothing(client, world):
    customer = make_customer(world)
    before = state()

    response = as_user(client, world.operator).post(
        reverse("customers:delete", args=[customer.pk]), {"password": "wrong", "reason": "x"}
    )

    assert response.status_code == 400
    assert errors_for(response, "password") == ["Your password is not correct."]
    assert state() == before


def test_delete_with_password_moves_customer_to_deleted_list(client, world):
    customer = make_customer(world, username="gone")
    make_customer(world, owner=world.operator2, username="notmine", deleted_at=customer.created_at)
    c = as_user(client, world.operator)

    response = c.post(
        reverse("customers:delete", args=[customer.pk]),
        {"password": PASSWORD, "reason": "Moved away"},
    )

    assert response.status_code == 302 and response.url == reverse("customers:list")
    customer.refresh_from_db()
    assert customer.deleted_by == world.operator
    assert rows(c.get(reverse("customers:list"))) == []
    assert rows(c.get(reverse("customers:deleted"))) == ["gone"]
    assert c.get(reverse("customers:detail", args=[customer.pk])).status_code == 404


def test_deleted_list_without_delete_customer_gets_403(client, world):
    grant(world.op_manager, P.VIEW_CUSTOMER_DETAILS)

    assert as_user(client, world.op_manager).get(reverse("customers:deleted")).status_code == 403


# --- bulk update ------------------------------------------------------------------------------


@pytest.fixture
def premium(world):
    """A package assigned to the operator only."""
    pkg = MasterPackage.objects.create(
        tenant=world.tenant, name="Premium", price=2000, download_kbps=51200, upload_kbps=51200
    )
    OperatorPackage.objects.create(
        tenant=world.tenant,
        operator=world.operator,
        master_package=pkg,
        reseller_price=1500,
        customer_price=2000,
    )
    return pkg


def test_bulk_page_shows_how_many_match(client, world, listed):
    response = as_user(client, world.admin).get(reverse("customers:bulk"), {"q": "karim"})

    assert response.status_code == 200
    assert response.context["match_count"] == 3
    assert "3 customers match" in response.content.decode()


def test_bulk_package_change_reports_per_customer_failures(client, world, listed, premium):
    response = as_user(client, world.admin).post(
        reverse("customers:bulk"),
        {"q": "karim", "change-action": "package", "change-package": premium.pk},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 customers updated." in html
    assert re.findall(r'data-failed="([^"]+)"', html) == ["otherk"]
    assert "This package is not assigned to" in html
    assert set(Customer.objects.filter(package=premium).values_list("username", flat=True)) == {
        "ana",
        "dina",
    }
    assert Customer.objects.get(username="otherk").package == world.package


def test_bulk_status_change_only_on_ticked_customers_in_scope(client, world, listed):
    ticked = [listed["ana"].pk, listed["bilal"].pk, listed["other"].pk]

    response = as_user(client, world.operator).post(
        reverse("customers:bulk"),
        {
            "change-action": "status",
            "change-status": "disabled",
            "change-reason": "Moved",
            "ids": ticked,
        },
    )

    assert "2 customers updated." in response.content.decode()
    statuses = dict(Customer.objects.values_list("username", "status"))
    assert statuses == {
        "ana": "disabled",
        "bilal": "disabled",
        "chandra": "active",
        "dina": "disabled",
        "subcust": "active",
        "otherk": "active",
    }


def test_bulk_status_value_applies_over_filter(client, world, listed):
    response = as_user(client, world.operator).post(
        reverse("customers:bulk"),
        {
            "q": "karim",
            "change-action": "status",
            "change-status": "suspended",
            "change-reason": "Tower down",
        },
    )

    assert "2 customers updated." in response.content.decode()
    assert set(Customer.objects.filter(status="suspended").values_list("username", flat=True)) == {
        "ana",
        "dina",
        "bilal",
    }
    assert CustomerStatusChange.objects.filter(reason="Tower down").count() == 2


def test_bulk_custom_field_with_bad_value_fails_each_customer(client, world, listed):
    field = CustomField.objects.create(
        tenant=world.tenant, name="Floors", key="floors", field_type="number"
    )
    before = state()

    response = as_user(client, world.operator).post(
        reverse("customers:bulk"),
        {
            "q": "karim",
            "change-action": "custom_fields",
            "change-custom_field": field.pk,
            "change-custom_value": "lots",
        },
    )

    html = response.content.decode()
    assert "0 customers updated." in html
    assert re.findall(r'data-failed="([^"]+)"', html) == ["dina", "ana"]
    assert "custom_fields.floors: Enter a number." in html
    assert state() == before


def test_bulk_without_key_gets_403_and_nothing_changes(client, world, listed):
    grant(world.op_manager, P.VIEW_CUSTOMER_DETAILS, P.SUSPEND_CUSTOMER)
    before = state()

    response = as_user(client, world.op_manager).post(
        reverse("customers:bulk"), {"change-action": "status", "change-status": "suspended"}
    )

    assert response.status_code == 403
    assert state() == before


# --- zones and custom fields ------------------------------------------------------------------


def test_group_admin_creates_edits_and_deletes_a_zone(client, world):
    c = as_user(client, world.admin)

    assert c.post(reverse("customers:zone_create"), {"name": "East"}).status_code == 302
    zone = Zone.objects.get(name="East")
    assert (
        c.post(
            reverse("customers:zone_edit", args=[zone.pk]),
            {"name": "East Side", "description": "Tower 5"},
        ).status_code
        == 302
    )
    zone.refresh_from_db()
    assert (zone.name, zone.description) == ("East Side", "Tower 5")
    listing = c.get(reverse("customers:zones")).content.decode()
    assert 'data-zone="East Side"' in listing and 'data-zone="North"' in listing
    assert c.post(reverse("customers:zone_delete", args=[zone.pk])).status_code == 302
    assert not Zone.objects.filter(pk=zone.pk).exists()


def test_duplicate_zone_name_is_shown_on_the_form(client, world):
    response = as_user(client, world.admin).post(
        reverse("customers:zone_create"), {"name": "North"}
    )

    assert response.status_code == 400
    assert Zone.objects.filter(name="North").count() == 1
    assert "already exists" in response.content.decode()


def test_zone_with_customers_is_not_deleted(client, world):
    make_customer(world)

    response = as_user(client, world.admin).post(
        reverse("customers:zone_delete", args=[world.zone.pk]), follow=True
    )

    assert "Move this zone&#x27;s customers to another zone first." in response.content.decode()
    assert Zone.objects.filter(pk=world.zone.pk).exists()


def test_group_admin_creates_edits_and_deletes_a_custom_field(client, world):
    c = as_user(client, world.admin)

    response = c.post(
        reverse("customers:custom_field_create"),
        {
            "name": "Tower",
            "key": "tower",
            "field_type": "dropdown",
            "choices": "T1\nT2\n",
            "mandatory": "on",
            "position": 1,
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get(key="tower")
    assert (field.choices, field.mandatory) == (["T1", "T2"], True)

    c.post(
        reverse("customers:custom_field_edit", args=[field.pk]),
        {"name": "Tower no.", "field_type": "dropdown", "choices": "T1\nT2\nT3", "position": 2},
    )
    field.refresh_from_db()
    assert (field.name, field.key, field.choices, field.mandatory) == (
        "Tower no.",
        "tower",
        ["T1", "T2", "T3"],
        False,
    )
    assert 'data-field="tower"' in c.get(reverse("customers:custom_fields")).content.decode()

    c.post(reverse("customers:custom_field_delete", args=[field.pk]))
    assert not CustomField.objects.exists()


def test_dropdown_custom_field_without_choices_is_refused_under_choices(client, world):
    response = as_user(client, world.admin).post(
        reverse("customers:custom_field_create"),
        {"name": "Tower", "key": "tower", "field_type": "dropdown", "choices": "", "position": 0},
    )

    assert response.status_code == 400
    assert errors_for(response, "choices") == ["A dropdown needs at least one choice."]
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "zones",
        "zone_create",
        "custom_fields",
        "custom_field_create",
    ],
)
def test_operator_gets_403_on_zone_and_custom_field_pages(client, world, name):
    assert as_user(client, world.operator).get(reverse(f"customers:{name}")).status_code == 403


def test_operator_cannot_edit_or_delete_zones_or_fields(client, world):
    field = CustomField.objects.create(tenant=world.tenant, name="Road", key="road")
    before = db_state(Zone, CustomField)
    c = as_user(client, world.operator)

    assert (
        c.post(reverse("customers:zone_edit", args=[world.zone.pk]), {"name": "Mine"}).status_code
        == 403
    )
    assert c.post(reverse("customers:zone_delete", args=[world.zone.pk])).status_code == 403
    assert (
        c.post(
            reverse("customers:custom_field_edit", args=[field.pk]),
            {"name": "Mine", "field_type": "text", "position": 0},
        ).status_code
        == 403
    )
    assert c.post(reverse("customers:custom_field_delete", args=[field.pk])).status_code == 403
    assert db_state(Zone, CustomField) == before


def test_other_tenants_zone_answers_404(client, world, other_world):
    response = as_user(client, world.admin).post(
        reverse("customers:zone_edit", args=[other_world.zone.pk]), {"name": "Taken"}
    )

    assert response.status_code == 404
    assert Zone.objects.get(pk=other_world.zone.pk).name == "North"


def test_every_customer_page_renders_for_the_group_admin(client, world):
    customer = make_customer(world)
    field = CustomField.objects.create(tenant=world.tenant, name="Road", key="road")
    c = as_user(client, world.admin)
    names = [
        ("list", []),
        ("create", []),
        ("deleted", []),
        ("bulk", []),
        ("zones", []),
        ("zone_create", []),
        ("custom_fields", []),
        ("custom_field_create", []),
        ("detail", [customer.pk]),
        ("edit", [customer.pk]),
        ("change_package", [customer.pk]),
        ("delete", [customer.pk]),
        ("zone_edit", [world.zone.pk]),
        ("zone_delete", [world.zone.pk]),
        ("custom_field_edit", [field.pk]),
        ("custom_field_delete", [field.pk]),
    ]

    statuses = {
        name: c.get(reverse(f"customers:{name}", args=args)).status_code for name, args in names
    }

    assert statuses == {name: 200 for name, _args in names}


def test_profile_shows_bills_payments_and_wallet_tabs_with_their_keys(client, world):
    import datetime

    from netbill.billing.services import bill_create
    from netbill.payments.services import payment_record

    customer = make_customer(world, owner=world.admin, name="Tabbed Customer")
    bill = bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
    )
    payment_record(actor=world.admin, customer=customer, amount="1000")
    client.force_login(world.admin)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f'data-bill="{bill.number}" data-status="paid"' in body
    assert 'data-testid="customer-bills"' in body
    assert "200.00" in body  # wallet credit after paying the 800.00 bill with 1000.00

    world.admin_manager.granted_keys = ["view-customer-details"]
    world.admin_manager.save()
    client.force_login(world.admin_manager)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-testid="customer-bills"' not in body
    assert bill.number not in body


@pytest.fixture(autouse=True)
def _funded_resellers(request):
    """Customers' first bills charge their prepaid resellers: fund them."""
    if "world" in request.fixturenames:
        from netbill.core.testing import fund_resellers

        fund_resellers(request.getfixturevalue("world"))
    if "other_world" in request.fixturenames:
        from netbill.core.testing import fund_resellers

        fund_resellers(request.getfixturevalue("other_world"))
