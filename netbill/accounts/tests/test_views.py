"""Profile, API tokens, auth log, staff accounts (create matrix, keys, sections) and
Get Access through the panel."""

from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from netbill.accounts.middleware import SESSION_KEY
from netbill.accounts.models import ApiToken, AuthLog, SalesNote, User
from netbill.core import permissions as P
from netbill.core.choices import Role
from netbill.core.menu import build_menu
from netbill.core.models import ActivityLog
from netbill.core.testing import PASSWORD, db_state, make_user

pytestmark = pytest.mark.django_db

IP = "198.51.100.20"
META = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": "pytest-agent/1.0"}
NEW_PASSWORD = "Fresh-pass-2026"


def fresh(user):
    """The account as a new request would load it (no cached keys or scope)."""
    return User.objects.select_related("parent", "parent__parent").get(pk=user.pk)


def logged_in(client, user):
    client.force_login(user)
    return client


# --- profile and password ---------------------------------------------------------------


def test_operator_edits_own_profile_and_it_is_audited(client, world):
    logged_in(client, world.operator)
    assert client.get(reverse("accounts:profile")).status_code == 200

    response = client.post(
        reverse("accounts:profile"),
        {"name": "Karim Net", "email": "Karim@Example.test", "mobile": "01811000000"},
    )

    assert response.status_code == 302
    op = fresh(world.operator)
    assert (op.name, op.email, op.mobile) == ("Karim Net", "karim@example.test", "01811000000")
    log = ActivityLog.objects.get(action="profile.update")
    assert log.actor == world.operator and log.on_behalf_of is None
    assert log.after == {
        "name": "Karim Net",
        "email": "karim@example.test",
        "mobile": "01811000000",
    }


def test_profile_email_of_another_account_is_refused_naming_the_field(client, world):
    logged_in(client, world.operator)
    before = db_state(User, ActivityLog)

    response = client.post(
        reverse("accounts:profile"), {"name": "X", "email": world.admin.email, "mobile": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this email already exists."
    ]
    assert db_state(User, ActivityLog) == before


def test_password_change_keeps_the_session_and_the_new_password_works(client, world):
    logged_in(client, world.operator)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == reverse("accounts:profile")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert fresh(world.operator).check_password(NEW_PASSWORD)
    assert ActivityLog.objects.filter(action="password.change").count() == 1


@pytest.mark.parametrize(
    ("old", "new2", "field", "message"),
    [
        ("wrong-password", NEW_PASSWORD, "old_password", "Your current password is not correct."),
        (PASSWORD, "Other-pass-2026", "new_password2", "The two passwords do not match."),
    ],
)
def test_password_change_errors_change_nothing(client, world, old, new2, field, message):
    logged_in(client, world.operator)
    before = db_state(User)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password": NEW_PASSWORD, "new_password2": new2},
    )

    assert response.status_code == 200
    assert response.context["password_form"].errors[field] == [message]
    assert db_state(User) == before


# --- API tokens -------------------------------------------------------------------------


def test_api_token_key_is_shown_once_and_only_its_hash_is_kept(client, world):
    logged_in(client, world.operator)

    response = client.post(reverse("accounts:token_create"), {"name": "accounting export"})

    key = response.context["new_key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.key_hash) == (
        world.operator,
        "accounting export",
        ApiToken.hash_key(key),
    )
    assert key not in client.get(reverse("accounts:security")).content.decode()


def test_api_token_revoke_and_another_users_token_is_404(client, world):
    logged_in(client, world.operator)
    client.post(reverse("accounts:token_create"), {"name": "mine"})
    token = ApiToken.objects.get()

    logged_in(client, world.operator2)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

    logged_in(client, world.operator)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- auth log ---------------------------------------------------------------------------


def auth_rows(*pairs):
    for user, success in pairs:
        AuthLog.objects.create(
            tenant=user.tenant,
            user=user,
            email=user.email,
            event="login",
            success=success,
            ip="192.0.2.1",
        )


def test_auth_log_is_scoped_and_filters_success_and_failed(client, world, other_world):
    auth_rows(
        (world.operator, True),
        (world.operator, False),
        (world.sub_operator, False),
        (world.operator2, True),
        (other_world.operator, False),
    )

    logged_in(client, world.admin)
    rows = client.get(reverse("accounts:auth_log")).context["object_list"]
    assert sorted(r.user_id for r in rows) == sorted(
        [world.operator.pk, world.operator.pk, world.sub_operator.pk, world.operator2.pk]
    )

    logged_in(client, world.operator)
    failed = client.get(reverse("accounts:auth_log"), {"result": "failed"}).context["object_list"]
    assert sorted(r.user_id for r in failed) == sorted([world.operator.pk, world.sub_operator.pk])
    ok = client.get(reverse("accounts:auth_log"), {"result": "success"}).context["object_list"]
    assert [r.user_id for r in ok] == [world.operator.pk]


def test_auth_log_is_paginated(client, world):
    auth_rows(*[(world.operator, True)] * 60)
    logged_in(client, world.admin)

    first = client.get(reverse("accounts:auth_log"))
    second = client.get(reverse("accounts:auth_log"), {"page": 2})

    assert len(first.context["object_list"]) == 50
    assert len(second.context["object_list"]) == 10


def test_auth_log_without_view_auth_log_is_403_and_absent_from_menu(client, world):
    logged_in(client, world.noc)

    assert client.get(reverse("accounts:auth_log")).status_code == 403
    assert "accounts:auth_log" not in [item["name"] for item in build_menu(fresh(world.noc))]


# --- staff: who may create whom ---------------------------------------------------------


def actor_of(world, role):
    return {
        Role.GROUP_ADMIN: world.admin,
        Role.OPERATOR: world.operator,
        Role.SUB_OPERATOR: world.sub_operator,
        Role.MANAGER: world.op_manager,
        Role.NOC: world.noc,
        Role.SALES_MANAGER: world.sales,
    }[role]


def create_data(world, actor_role, role, **extra):
    data = {
        "role": role,
        "name": "New Person",
        "email": f"new-{role}@alpha-net.test",
        "mobile": "01900000000",
        "new_password": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    if role in (Role.OPERATOR, Role.SUB_OPERATOR):
        data.update(account_type="postpaid", credit_limit="2500.00", company_name="East side")
    if role == Role.SUB_OPERATOR and actor_role == Role.GROUP_ADMIN:
        data["parent"] = world.operator.pk
    data.update(extra)
    return data


@pytest.mark.parametrize("target_role", Role.values)
@pytest.mark.parametrize("actor_role", Role.values)
def test_staff_create_matrix_follows_the_role_table(client, world, actor_role, target_role):
    actor = actor_of(world, actor_role)
    logged_in(client, actor)
    before = db_state(User, ActivityLog)

    response = client.post(
        reverse("accounts:staff_create"), create_data(world, actor_role, target_role)
    )

    created = User.objects.filter(email=f"new-{target_role}@alpha-net.test").first()
    if target_role in P.CREATABLE_ROLES[actor_role]:
        assert response.status_code == 302, response.context["form"].errors
        expected_parent = (
            world.operator
            if (actor_role, target_role) == (Role.GROUP_ADMIN, Role.SUB_OPERATOR)
            else actor
        )
        assert (created.role, created.parent, created.tenant) == (
            target_role,
            expected_parent,
            world.tenant,
        )
        assert response["Location"] == reverse("accounts:staff_detail", args=[created.pk])
        assert created.check_password(NEW_PASSWORD)
        log = ActivityLog.objects.get(action="staff.create")
        assert (log.actor, log.object_id) == (actor, str(created.pk))
    else:
        assert created is None
        if response.status_code == 200:
            assert response.context["form"].errors["role"] == [
                f"Select a valid choice. {target_role} is not one of the available choices."
            ]
        else:
            assert response.status_code == 403
        assert db_state(User, ActivityLog) == before


def test_created_reseller_keeps_account_type_and_credit_limit(client, world):
    logged_in(client, world.admin)

    client.post(
        reverse("accounts:staff_create"), create_data(world, Role.GROUP_ADMIN, Role.OPERATOR)
    )

    op = User.objects.get(email="new-operator@alpha-net.test")
    assert (op.account_type, op.credit_limit, op.company_name) == (
        "postpaid",
        Decimal("2500.00"),
        "East side",
    )
    assert set(op.granted_keys) == P.ROLE_DEFAULTS[Role.OPERATOR]


def test_sub_operator_created_by_group_admin_needs_an_operator(client, world):
    logged_in(client, world.admin)
    before = db_state(User)

    response = client.post(
        reverse("accounts:staff_create"),
        create_data(world, Role.GROUP_ADMIN, Role.SUB_OPERATOR, parent=""),
    )

    assert response.context["form"].errors["parent"] == ["This field is required."]
    assert db_state(User) == before


def test_operator_creates_manager_for_its_sub_operator_with_chosen_keys(client, world):
    logged_in(client, world.operator)
    page = client.get(reverse("accounts:staff_create"), {"role": Role.MANAGER})
    parent_choices = [c[0].value for c in page.context["form"].fields["parent"].choices if c[0]]
    assert parent_choices == [world.sub_operator.pk]

    client.post(
        reverse("accounts:staff_create"),
        create_data(
            world,
            Role.OPERATOR,
            Role.MANAGER,
            parent=world.sub_operator.pk,
            keys=[P.RECEIVE_PAYMENT, P.VIEW_CUSTOMER_DETAILS],
        ),
    )

    manager = User.objects.get(email="new-manager@alpha-net.test")
    assert manager.parent == world.sub_operator
    assert manager.granted_keys == sorted([P.RECEIVE_PAYMENT, P.VIEW_CUSTOMER_DETAILS])


def test_manager_create_form_offers_only_keys_the_operator_holds(client, world):
    logged_in(client, world.operator)

    page = client.get(reverse("accounts:staff_create"), {"role": Role.MANAGER})

    rows = {row["key"]: row for row in page.context["keys_form"].rows()}
    assert set(rows) == P.GRANTABLE[Role.MANAGER]
    assert rows[P.EDIT_PACKAGE_PRICE]["disabled"] is True
    assert rows[P.RECEIVE_PAYMENT]["disabled"] is False
    assert {k for k, r in rows.items() if r["checked"]} == set(P.ROLE_DEFAULTS[Role.MANAGER])
    assert 'data-key="edit-package-price" disabled' in page.content.decode()


def test_operator_cannot_create_a_manager_with_a_key_it_does_not_hold(client, world):
    logged_in(client, world.operator)
    before = db_state(User, ActivityLog)

    response = client.post(
        reverse("accounts:staff_create"),
        create_data(world, Role.OPERATOR, Role.MANAGER, keys=[P.DASHBOARD, P.EDIT_PACKAGE_PRICE]),
    )

    assert response.status_code == 200
    assert "You cannot grant keys you do not hold: edit-package-price" in (
        response.content.decode()
    )
    assert db_state(User, ActivityLog) == before


@pytest.mark.parametrize(
    "role", [Role.OPERATOR, Role.SUB_OPERATOR, Role.MANAGER, Role.NOC, Role.SALES_MANAGER]
)
def test_group_admin_create_form_renders_for_every_role(client, world, role):
    logged_in(client, world.admin)

    response = client.get(reverse("accounts:staff_create"), {"role": role})

    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert ("credit_limit" in fields) is (role in (Role.OPERATOR, Role.SUB_OPERATOR))
    assert ("parent" in fields) is (role in (Role.SUB_OPERATOR, Role.MANAGER))
    assert (response.context["keys_form"] is not None) is (role in (Role.MANAGER, Role.NOC))


# --- staff: list, detail, edit, password ----------------------------------------------


def test_staff_list_is_scoped_and_filters_by_role(client, world, other_world):
    logged_in(client, world.operator)
    listed = {u.pk for u in client.get(reverse("accounts:staff")).context["object_list"]}
    assert listed == {world.sub_operator.pk, world.op_manager.pk}

    logged_in(client, world.admin)
    managers = client.get(reverse("accounts:staff"), {"role": "manager"}).context["object_list"]
    assert {u.pk for u in managers} == {world.op_manager.pk, world.admin_manager.pk}


@pytest.mark.parametrize("who", ["op_manager", "noc"])
def test_staff_pages_without_manage_staff_are_403(client, world, who):
    logged_in(client, getattr(world, who))

    assert client.get(reverse("accounts:staff")).status_code == 403
    assert client.get(reverse("accounts:staff_create")).status_code == 403
    assert client.get(reverse("accounts:staff_detail", args=[world.operator.pk])).status_code == 403


def test_group_admin_detail_page_shows_manage_buttons_and_get_access(client, world):
    logged_in(client, world.admin)

    response = client.get(reverse("accounts:staff_detail", args=[world.operator.pk]))

    html = response.content.decode()
    assert response.context["can_manage"] is True
    assert 'data-testid="get-access"' in html
    assert reverse("accounts:staff_sections", args=[world.operator.pk]) in html
    for name in ("staff_edit", "staff_keys", "staff_sections", "staff_password"):
        assert client.get(reverse(f"accounts:{name}", args=[world.operator.pk])).status_code == 200


def test_group_admin_edits_operator_credit_limit(client, world):
    logged_in(client, world.admin)

    response = client.post(
        reverse("accounts:staff_edit", args=[world.operator.pk]),
        {
            "name": "Op One",
            "email": world.operator.email,
            "mobile": "",
            "is_active": "on",
            "company_name": "North",
            "account_type": "postpaid",
            "credit_limit": "5000.00",
        },
    )

    assert response.status_code == 302
    op = fresh(world.operator)
    assert (op.name, op.account_type, op.credit_limit, op.is_active) == (
        "Op One",
        "postpaid",
        Decimal("5000.00"),
        True,
    )
    log = ActivityLog.objects.get(action="staff.update")
    assert log.after["credit_limit"] == "5000.00" and log.actor == world.admin


def test_operator_sets_its_managers_password(client, world):
    logged_in(client, world.operator)

    client.post(
        reverse("accounts:staff_password", args=[world.op_manager.pk]),
        {"new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert fresh(world.op_manager).check_password(NEW_PASSWORD)


def test_another_operator_cannot_see_or_change_the_staff_account(client, world):
    logged_in(client, world.operator2)
    before = db_state(User, ActivityLog)
    target = world.op_manager.pk

    for name in ("staff_detail", "staff_edit", "staff_keys", "staff_password"):
        assert client.get(reverse(f"accounts:{name}", args=[target])).status_code == 404
    assert (
        client.post(
            reverse("accounts:staff_keys", args=[target]), {"keys": [P.DASHBOARD]}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("accounts:staff_edit", args=[target]), {"name": "Taken", "email": "t@x.test"}
        ).status_code
        == 404
    )
    assert db_state(User, ActivityLog) == before


def test_other_tenant_accounts_are_404(client, world, other_world):
    logged_in(client, world.admin)

    for name in ("staff_detail", "staff_edit", "staff_keys", "staff_sections"):
        url = reverse(f"accounts:{name}", args=[other_world.operator.pk])
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("accounts:get_access", args=[other_world.operator.pk])).status_code
        == 404
    )


def test_operator_sees_but_cannot_change_the_manager_of_its_sub_operator(client, world):
    sub_manager = make_user(world.tenant, Role.MANAGER, parent=world.sub_operator)
    logged_in(client, world.operator)
    before = db_state(User)

    assert client.get(reverse("accounts:staff_detail", args=[sub_manager.pk])).status_code == 200
    assert (
        client.post(
            reverse("accounts:staff_keys", args=[sub_manager.pk]), {"keys": [P.DASHBOARD]}
        ).status_code
        == 403
    )
    assert db_state(User) == before


# --- staff: permission keys -------------------------------------------------------------


def test_operator_grants_and_revokes_its_managers_keys(client, world):
    logged_in(client, world.operator)
    url = reverse("accounts:staff_keys", args=[world.op_manager.pk])

    client.post(url, {"keys": [P.DASHBOARD, P.RECEIVE_PAYMENT, P.VIEW_CUSTOMER_DETAILS]})

    manager = fresh(world.op_manager)
    assert manager.granted_keys == sorted([P.DASHBOARD, P.RECEIVE_PAYMENT, P.VIEW_CUSTOMER_DETAILS])
    assert P.may(manager, P.RECEIVE_PAYMENT) is True
    granted = ActivityLog.objects.get(action="staff.set_keys")
    assert granted.after == {"granted": sorted([P.RECEIVE_PAYMENT, P.VIEW_CUSTOMER_DETAILS])}
    assert granted.before == {"revoked": [P.VIEW_ACTIVITY_LOG, P.VIEW_AUTH_LOG]}

    client.post(url, {"keys": [P.DASHBOARD]})

    manager = fresh(world.op_manager)
    assert manager.granted_keys == [P.DASHBOARD]
    assert P.may(manager, P.RECEIVE_PAYMENT) is False


def test_operator_cannot_grant_a_key_it_does_not_hold(client, world):
    logged_in(client, world.operator)
    url = reverse("accounts:staff_keys", args=[world.op_manager.pk])
    before = db_state(User, ActivityLog)

    response = client.post(url, {"keys": [P.DASHBOARD, P.EDIT_PACKAGE_PRICE]})

    assert response.status_code == 200
    assert "You cannot grant keys you do not hold: edit-package-price" in (
        response.content.decode()
    )
    assert db_state(User, ActivityLog) == before


def test_operator_may_revoke_a_key_it_no_longer_holds(client, world):
    User.objects.filter(pk=world.op_manager.pk).update(
        granted_keys=[P.DASHBOARD, P.EDIT_PACKAGE_PRICE]
    )
    logged_in(client, world.operator)
    url = reverse("accounts:staff_keys", args=[world.op_manager.pk])

    rows = {r["key"]: r for r in client.get(url).context["form"].rows()}
    assert rows[P.EDIT_PACKAGE_PRICE] == {
        "key": P.EDIT_PACKAGE_PRICE,
        "label": P.KEY_LABELS[P.EDIT_PACKAGE_PRICE],
        "checked": True,
        "disabled": False,
    }
    client.post(url, {"keys": [P.DASHBOARD]})

    assert fresh(world.op_manager).granted_keys == [P.DASHBOARD]


def test_group_admin_grants_a_noc_user_only_network_keys(client, world):
    logged_in(client, world.admin)
    url = reverse("accounts:staff_keys", args=[world.noc.pk])
    before = db_state(User)

    response = client.post(url, {"keys": [P.VIEW_ROUTERS, P.RECEIVE_PAYMENT]})

    assert response.status_code == 200
    assert "receive-payment is not one of the available choices" in response.content.decode()
    assert db_state(User) == before
    client.post(url, {"keys": [P.VIEW_ROUTERS, P.MANAGE_ROUTERS]})
    assert fresh(world.noc).granted_keys == sorted([P.VIEW_ROUTERS, P.MANAGE_ROUTERS])


# --- staff: panel sections --------------------------------------------------------------


def customers_list_url():
    try:
        return reverse("customers:list")
    except NoReverseMatch:  # the customers pages are built by another part of the project
        return None


def test_switching_off_customers_hides_them_for_the_operator_and_its_manager(client, world):
    User.objects.filter(pk=world.op_manager.pk).update(
        granted_keys=[P.DASHBOARD, P.VIEW_CUSTOMER_DETAILS]
    )
    assert P.may(fresh(world.operator), P.VIEW_CUSTOMER_DETAILS) is True
    assert P.may(fresh(world.op_manager), P.VIEW_CUSTOMER_DETAILS) is True
    url = customers_list_url()
    if url:
        logged_in(client, world.op_manager)
        assert (
            'data-menu="customers:list"' in client.get(reverse("core:dashboard")).content.decode()
        )

    logged_in(client, world.admin)
    enabled = [name for name in P.SECTIONS if name != "customers"]
    response = client.post(
        reverse("accounts:staff_sections", args=[world.operator.pk]), {"enabled": enabled}
    )

    assert response.status_code == 302
    assert fresh(world.operator).disabled_sections == ["customers"]
    log = ActivityLog.objects.get(action="staff.set_sections")
    assert log.after == {"disabled_sections": ["customers"]}
    for account in (world.operator, world.op_manager, world.sub_operator):
        account = fresh(account)
        assert P.may(account, P.VIEW_CUSTOMER_DETAILS) is False
        assert P.may(account, P.CREATE_CUSTOMER) is False
        assert "customers:list" not in [item["name"] for item in build_menu(account)]
    assert P.may(fresh(world.operator), P.RECEIVE_PAYMENT) is True
    assert P.may(fresh(world.operator2), P.VIEW_CUSTOMER_DETAILS) is True
    for account in (world.operator, world.op_manager):
        logged_in(client, account)
        page = client.get(reverse("core:dashboard")).content.decode()
        assert 'data-menu="customers:list"' not in page
        if url:
            assert client.get(url).status_code == 403


def test_switching_sections_back_on_restores_the_keys(client, world):
    User.objects.filter(pk=world.operator.pk).update(disabled_sections=["customers", "bills"])
    logged_in(client, world.admin)

    client.post(
        reverse("accounts:staff_sections", args=[world.operator.pk]), {"enabled": list(P.SECTIONS)}
    )

    assert fresh(world.operator).disabled_sections == []
    assert P.may(fresh(world.operator), P.VIEW_CUSTOMER_DETAILS) is True


def test_operator_cannot_switch_its_own_sections_and_managers_have_none(client, world):
    logged_in(client, world.operator)
    before = db_state(User)

    assert (
        client.post(
            reverse("accounts:staff_sections", args=[world.operator.pk]), {"enabled": []}
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("accounts:staff_sections", args=[world.op_manager.pk])).status_code
        == 404
    )
    assert db_state(User) == before


def test_operator_switches_sections_of_its_sub_operator(client, world):
    logged_in(client, world.operator)
    enabled = [name for name in P.SECTIONS if name != "payments"]

    client.post(
        reverse("accounts:staff_sections", args=[world.sub_operator.pk]), {"enabled": enabled}
    )

    assert fresh(world.sub_operator).disabled_sections == ["payments"]
    assert P.may(fresh(world.sub_operator), P.RECEIVE_PAYMENT) is False


# --- sales manager ----------------------------------------------------------------------


def test_sales_manager_sees_operators_read_only_and_adds_notes(client, world):
    logged_in(client, world.sales)

    listed = client.get(reverse("accounts:staff"))
    assert {u.pk for u in listed.context["object_list"]} == {world.operator.pk, world.operator2.pk}
    assert listed.context["creatable"] == []
    detail = client.get(reverse("accounts:staff_detail", args=[world.operator.pk]))
    assert detail.context["can_manage"] is False
    assert 'data-testid="sales-notes"' in detail.content.decode()

    response = client.post(
        reverse("accounts:staff_note", args=[world.operator.pk]),
        {"text": "Wants 50 more ports in March."},
    )

    assert response.status_code == 302
    note = SalesNote.objects.get()
    assert (note.operator, note.author, note.text) == (
        world.operator,
        world.sales,
        "Wants 50 more ports in March.",
    )
    assert (
        "Wants 50 more ports"
        in client.get(reverse("accounts:staff_detail", args=[world.operator.pk])).content.decode()
    )


def test_sales_manager_cannot_open_other_accounts_or_edit_operators(client, world):
    logged_in(client, world.sales)
    before = db_state(User)

    assert (
        client.get(reverse("accounts:staff_detail", args=[world.sub_operator.pk])).status_code
        == 404
    )
    assert client.get(reverse("accounts:staff_edit", args=[world.operator.pk])).status_code == 403
    assert (
        client.post(
            reverse("accounts:staff_create"), create_data(world, Role.SALES_MANAGER, Role.MANAGER)
        ).status_code
        == 403
    )
    assert db_state(User) == before


# --- Get Access -------------------------------------------------------------------------


def enter(client, world, target=None):
    logged_in(client, world.admin)
    return client.post(reverse("accounts:get_access", args=[(target or world.operator).pk]), **META)


def test_get_access_enters_the_operator_panel_with_the_bar_and_is_audited(client, world):
    response = enter(client, world)

    assert response["Location"] == reverse("core:dashboard")
    assert client.session[SESSION_KEY] == world.operator.pk
    log = ActivityLog.objects.get(action="staff.get_access")
    assert (log.actor, log.on_behalf_of, log.object_id) == (
        world.admin,
        None,
        str(world.operator.pk),
    )
    auth = AuthLog.objects.get(event="get_access")
    assert (auth.user, auth.ip, auth.success) == (world.admin, IP, True)

    page = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="get-access-bar"' in page
    assert "Back to Group Admin" in page
    assert f"{world.operator.name} · Operator" in page


def test_actions_during_get_access_are_recorded_as_admin_on_behalf_of_operator(client, world):
    enter(client, world)

    client.post(
        reverse("accounts:staff_keys", args=[world.op_manager.pk]),
        {"keys": [P.DASHBOARD, P.RECEIVE_PAYMENT]},
    )
    client.post(
        reverse("accounts:staff_create"),
        create_data(world, Role.OPERATOR, Role.MANAGER, keys=[P.DASHBOARD]),
    )
    client.post(
        reverse("accounts:profile"),
        {"name": "Renamed Op", "email": world.operator.email, "mobile": ""},
    )

    keys_log = ActivityLog.objects.get(action="staff.set_keys")
    assert (keys_log.actor, keys_log.on_behalf_of) == (world.admin, world.operator)
    created = User.objects.get(email="new-manager@alpha-net.test")
    assert created.parent == world.operator
    create_log = ActivityLog.objects.get(action="staff.create")
    assert (create_log.actor, create_log.on_behalf_of) == (world.admin, world.operator)
    profile_log = ActivityLog.objects.get(action="profile.update")
    assert (profile_log.actor, profile_log.on_behalf_of) == (world.admin, world.operator)


def test_customer_created_by_the_get_access_user_is_audited_on_behalf(client, world):
    from netbill.core.testing import fund_resellers
    from netbill.customers.services import customer_create

    fund_resellers(world)

    enter(client, world)
    request_user = client.get(reverse("core:dashboard")).wsgi_request.user
    assert request_user.pk == world.operator.pk and request_user.impersonator == world.admin

    customer_create(
        actor=request_user,
        customer_type="pppoe_monthly",
        name="Rahim",
        mobile="01711000001",
        package=world.package,
        billing_profile=world.monthly,
        username="rahim",
    )

    log = ActivityLog.objects.get(action="customer.create")
    assert (log.actor, log.on_behalf_of, log.owner) == (world.admin, world.operator, world.operator)


def test_during_get_access_the_admin_account_is_out_of_reach(client, world):
    enter(client, world)
    before = db_state(User, ActivityLog)

    assert client.get(reverse("accounts:staff_detail", args=[world.admin.pk])).status_code == 404
    assert (
        client.post(
            reverse("accounts:staff_edit", args=[world.admin.pk]),
            {"name": "x", "email": "x@x.test"},
        ).status_code
        == 404
    )
    assert client.post(reverse("accounts:get_access", args=[world.operator2.pk])).status_code == 403
    assert client.get(reverse("tenancy:settings")).status_code == 403
    client.post(reverse("accounts:security_enrol"))
    client.post(reverse("accounts:token_create"), {"name": "sneaky"})
    assert db_state(User, ActivityLog) == before
    assert ApiToken.objects.count() == 0


def test_back_to_group_admin_ends_get_access_and_is_audited(client, world):
    enter(client, world)

    response = client.post(reverse("accounts:get_access_end"), **META)

    assert response["Location"] == reverse("accounts:staff_detail", args=[world.operator.pk])
    assert SESSION_KEY not in client.session
    log = ActivityLog.objects.get(action="staff.get_access_end")
    assert (log.actor, log.object_id) == (world.admin, str(world.operator.pk))
    assert AuthLog.objects.filter(event="get_access_end", user=world.admin).count() == 1
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Back to Group Admin" not in page
    assert f"{world.admin.name} · Group admin" in page


def test_group_admin_enters_a_sub_operator_panel(client, world):
    enter(client, world, world.sub_operator)

    assert client.session[SESSION_KEY] == world.sub_operator.pk


def test_get_access_refused_for_non_admins_and_non_resellers(client, world):
    before = db_state(ActivityLog, AuthLog)

    logged_in(client, world.operator)
    assert (
        client.post(reverse("accounts:get_access", args=[world.sub_operator.pk])).status_code == 403
    )
    assert SESSION_KEY not in client.session

    logged_in(client, world.admin)
    for target in (world.op_manager, world.noc, world.admin):
        assert client.post(reverse("accounts:get_access", args=[target.pk])).status_code == 404
    assert SESSION_KEY not in client.session
    assert db_state(ActivityLog, AuthLog) == before


def test_get_access_to_a_disabled_operator_is_refused(client, world):
    User.objects.filter(pk=world.operator.pk).update(is_active=False)

    response = enter(client, world)

    assert response["Location"] == reverse("accounts:staff_detail", args=[world.operator.pk])
    assert SESSION_KEY not in client.session
    assert ActivityLog.objects.filter(action="staff.get_access").count() == 0


def test_logout_during_get_access_logs_the_admin_out(client, world):
    enter(client, world)

    client.post(reverse("accounts:logout"), **META)

    assert client.session.get("_auth_user_id") is None
    assert AuthLog.objects.get(event="logout").user == world.admin
