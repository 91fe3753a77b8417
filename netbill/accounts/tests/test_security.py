"""Login, lockout, two-factor authentication and logout through the panel."""

import time

import pyotp
import pytest
from django.urls import reverse

from netbill.accounts import security
from netbill.accounts.models import AuthLog, RecoveryCode, User
from netbill.core.models import ActivityLog
from netbill.core.testing import PASSWORD, db_state, make_platform_admin

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"
AGENT = "Mozilla/5.0 (netbill-test)"
META = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT}


def login(client, email, password, **extra):
    return client.post(
        reverse("accounts:login") + extra.pop("query", ""),
        {"email": email, "password": password},
        **META,
        **extra,
    )


def session_user_id(client):
    return client.session.get("_auth_user_id")


def wrong_code(secret):
    """A six-digit code that is not valid now (nor in the neighbouring windows)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + delta) for delta in (-60, -30, 0, 30, 60)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid
    )


# --- password step --------------------------------------------------------------------


def test_operator_login_success_lands_on_dashboard_with_auth_log_row(client, world):
    response = login(client, world.operator.email.upper(), PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert session_user_id(client) == str(world.operator.pk)
    row = AuthLog.objects.get()
    assert (row.user, row.event, row.success, row.ip, row.user_agent) == (
        world.operator,
        "login",
        True,
        IP,
        AGENT,
    )
    assert row.tenant == world.tenant


def test_wrong_password_is_refused_with_generic_message_and_failed_row(client, world):
    response = login(client, world.operator.email, "not-the-password")

    assert response.status_code == 200
    assert "Email or password is not correct." in response.content.decode()
    assert session_user_id(client) is None
    row = AuthLog.objects.get()
    assert (row.user, row.success, row.reason, row.ip, row.user_agent) == (
        world.operator,
        False,
        "bad password",
        IP,
        AGENT,
    )
    world.operator.refresh_from_db()
    assert world.operator.failed_logins == 1


def test_unknown_email_gets_the_same_generic_message(client, world):
    response = login(client, "nobody@nowhere.test", PASSWORD)

    assert "Email or password is not correct." in response.content.decode()
    row = AuthLog.objects.get()
    assert (row.user, row.email, row.reason, row.ip) == (
        None,
        "nobody@nowhere.test",
        "unknown email",
        IP,
    )


def test_failed_logins_up_to_the_limit_lock_the_account_even_for_the_right_password(
    client, world, settings
):
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        login(client, world.operator.email, "wrong-password")
    world.operator.refresh_from_db()
    assert world.operator.locked_until is not None

    response = login(client, world.operator.email, PASSWORD)

    assert response.status_code == 200
    assert "This account is locked after too many failed logins." in response.content.decode()
    assert session_user_id(client) is None
    rows = list(
        AuthLog.objects.filter(user=world.operator)
        .order_by("id")
        .values_list("event", "success", "reason")
    )
    assert rows == [("login", False, "bad password")] * 4 + [
        ("lockout", False, "5 failed logins"),
        ("login", False, "bad password"),
        ("login", False, "locked"),
    ]


def test_small_failure_limit_from_settings_is_respected(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    login(client, world.operator.email, "wrong-password")
    assert login(client, world.operator.email, PASSWORD).status_code == 302
    client.logout()

    login(client, world.operator.email, "wrong-password")
    login(client, world.operator.email, "wrong-password")
    response = login(client, world.operator.email, PASSWORD)

    assert "locked" in response.content.decode()
    assert session_user_id(client) is None


def test_disabled_account_is_refused(client, world):
    User.objects.filter(pk=world.operator.pk).update(is_active=False)

    response = login(client, world.operator.email, PASSWORD)

    assert "This account is disabled." in response.content.decode()
    assert session_user_id(client) is None


def test_safe_next_is_followed_and_foreign_next_is_ignored(client, world):
    response = login(client, world.admin.email, PASSWORD, query="?next=/accounts/staff/")
    assert response["Location"] == "/accounts/staff/"
    client.logout()

    response = login(client, world.admin.email, PASSWORD, query="?next=https://evil.example/x")
    assert response["Location"] == reverse("core:dashboard")


def test_login_page_renders_for_anonymous_and_panel_redirects_there(client, world):
    assert client.get(reverse("accounts:login")).status_code == 200
    response = client.get(reverse("accounts:staff"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_platform_admin_lands_on_platform_pages(client, db):
    admin = make_platform_admin()

    response = login(client, admin.email, PASSWORD)

    assert response["Location"] == reverse("tenancy:platform")
    assert AuthLog.objects.get().tenant is None


def test_sales_manager_without_dashboard_lands_on_staff_list(client, world):
    response = login(client, world.sales.email, PASSWORD)

    assert response["Location"] == reverse("accounts:staff")


def test_logout_is_post_only_and_writes_an_auth_log_row(client, world):
    client.force_login(world.operator)
    assert client.get(reverse("accounts:logout")).status_code == 405

    response = client.post(reverse("accounts:logout"), **META)

    assert response["Location"] == reverse("accounts:login")
    assert session_user_id(client) is None
    row = AuthLog.objects.get()
    assert (row.user, row.event, row.success, row.ip, row.user_agent) == (
        world.operator,
        "logout",
        True,
        IP,
        AGENT,
    )


# --- two-factor -----------------------------------------------------------------------


def enrol(client, user):
    """Enrol ``user`` in 2FA through the security page; returns (secret, recovery codes)."""
    client.force_login(user)
    assert client.post(reverse("accounts:security_enrol")).status_code == 302
    page = client.get(reverse("accounts:security"))
    user.refresh_from_db()
    secret = security.totp_secret(user)
    html = page.content.decode()
    assert 'data-testid="totp-qr"><svg' in html
    assert secret in html
    response = client.post(reverse("accounts:security_confirm"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    client.logout()
    return secret, codes


def test_enrol_and_confirm_with_a_real_code_switches_2fa_on_with_ten_recovery_codes(client, world):
    secret, codes = enrol(client, world.operator)

    world.operator.refresh_from_db()
    assert world.operator.totp_enabled is True
    assert len(codes) == 10 and len(set(codes)) == 10
    assert RecoveryCode.objects.filter(user=world.operator, used_at__isnull=True).count() == 10
    assert ActivityLog.objects.filter(action="2fa.enable", actor=world.operator).count() == 1


def test_confirm_with_a_wrong_code_leaves_2fa_off(client, world):
    client.force_login(world.operator)
    client.post(reverse("accounts:security_enrol"))
    world.operator.refresh_from_db()
    secret = security.totp_secret(world.operator)

    response = client.post(reverse("accounts:security_confirm"), {"code": wrong_code(secret)})

    assert "That code is not valid." in response.content.decode()
    world.operator.refresh_from_db()
    assert world.operator.totp_enabled is False
    assert RecoveryCode.objects.count() == 0


def test_with_2fa_the_password_alone_does_not_log_in_and_the_code_does(client, world):
    secret, _codes = enrol(client, world.operator)

    response = login(client, world.operator.email, PASSWORD, query="?next=/accounts/profile/")

    assert response["Location"] == reverse("accounts:login_2fa")
    assert session_user_id(client) is None
    assert client.get(reverse("core:dashboard")).status_code == 302
    assert client.get(reverse("accounts:login_2fa")).status_code == 200

    response = client.post(
        reverse("accounts:login_2fa"), {"code": pyotp.TOTP(secret).now()}, **META
    )

    assert response["Location"] == "/accounts/profile/"
    assert session_user_id(client) == str(world.operator.pk)
    events = list(
        AuthLog.objects.filter(user=world.operator, success=True)
        .order_by("id")
        .values_list("event", "ip")
    )
    assert events == [("2fa", IP), ("login", IP)]


def test_wrong_2fa_code_is_refused_and_counted_as_a_failure(client, world):
    secret, _codes = enrol(client, world.operator)
    login(client, world.operator.email, PASSWORD)

    response = client.post(reverse("accounts:login_2fa"), {"code": wrong_code(secret)}, **META)

    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()
    assert session_user_id(client) is None
    row = AuthLog.objects.filter(event="2fa").get()
    assert (row.success, row.reason, row.ip) == (False, "bad code", IP)
    world.operator.refresh_from_db()
    assert world.operator.failed_logins == 1


def test_guessing_2fa_codes_locks_the_account(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    secret, _codes = enrol(client, world.operator)
    login(client, world.operator.email, PASSWORD)
    for _ in range(3):
        client.post(reverse("accounts:login_2fa"), {"code": wrong_code(secret)})

    response = client.post(reverse("accounts:login_2fa"), {"code": pyotp.TOTP(secret).now()})

    assert response["Location"] == reverse("accounts:login")
    assert session_user_id(client) is None
    assert AuthLog.objects.filter(event="2fa", reason="locked").count() == 1


def test_recovery_code_logs_in_once_only(client, world):
    _secret, codes = enrol(client, world.operator)

    login(client, world.operator.email, PASSWORD)
    response = client.post(reverse("accounts:login_2fa"), {"code": codes[3].upper()})
    assert response.status_code == 302
    assert session_user_id(client) == str(world.operator.pk)
    client.post(reverse("accounts:logout"))

    login(client, world.operator.email, PASSWORD)
    response = client.post(reverse("accounts:login_2fa"), {"code": codes[3]})

    assert response.status_code == 200
    assert session_user_id(client) is None
    assert RecoveryCode.objects.filter(user=world.operator, used_at__isnull=False).count() == 1


def test_2fa_step_without_password_step_goes_back_to_login(client, world):
    response = client.post(reverse("accounts:login_2fa"), {"code": "123456"})

    assert response["Location"] == reverse("accounts:login")
    assert AuthLog.objects.count() == 0


def test_disable_2fa_needs_the_password(client, world):
    enrol(client, world.operator)
    client.force_login(world.operator)

    response = client.post(reverse("accounts:security_disable"), {"password": "wrong"})
    assert "Your password is not correct." in response.content.decode()
    world.operator.refresh_from_db()
    assert world.operator.totp_enabled is True

    client.post(reverse("accounts:security_disable"), {"password": PASSWORD})
    world.operator.refresh_from_db()
    assert world.operator.totp_enabled is False
    assert world.operator.totp_secret_encrypted == ""
    assert RecoveryCode.objects.filter(user=world.operator).count() == 0


def test_enrol_again_while_on_is_refused_and_keeps_the_secret(client, world):
    enrol(client, world.operator)
    client.force_login(world.operator)
    before = db_state(User.objects.filter(pk=world.operator.pk), RecoveryCode)

    client.post(reverse("accounts:security_enrol"))

    assert db_state(User.objects.filter(pk=world.operator.pk), RecoveryCode) == before


def test_regenerated_recovery_codes_replace_the_old_ones(client, world):
    _secret, old = enrol(client, world.operator)
    client.force_login(world.operator)

    response = client.post(reverse("accounts:security_recovery"), {"password": PASSWORD})

    new = response.context["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    client.logout()
    login(client, world.operator.email, PASSWORD)
    assert client.post(reverse("accounts:login_2fa"), {"code": old[0]}).status_code == 200
    assert client.post(reverse("accounts:login_2fa"), {"code": new[0]}).status_code == 302


def test_group_admin_reset_clears_2fa_so_password_alone_logs_in(client, world):
    enrol(client, world.operator)
    client.force_login(world.admin)

    response = client.post(reverse("accounts:staff_reset_2fa", args=[world.operator.pk]))

    assert response.status_code == 302
    world.operator.refresh_from_db()
    assert (world.operator.totp_enabled, world.operator.totp_secret_encrypted) == (False, "")
    assert RecoveryCode.objects.filter(user=world.operator).count() == 0
    log = ActivityLog.objects.get(action="2fa.admin_reset")
    assert (log.actor, log.object_id) == (world.admin, str(world.operator.pk))
    client.logout()
    assert login(client, world.operator.email, PASSWORD)["Location"] == reverse("core:dashboard")


def test_operator_cannot_reset_2fa_of_its_manager(client, world):
    enrol(client, world.op_manager)
    client.force_login(world.operator)
    before = db_state(User, RecoveryCode)

    response = client.post(reverse("accounts:staff_reset_2fa", args=[world.op_manager.pk]))

    assert response.status_code == 403
    assert db_state(User, RecoveryCode) == before


def test_platform_admin_can_enrol_2fa_without_a_tenant(client, db):
    admin = make_platform_admin()

    _secret, codes = enrol(client, admin)

    admin.refresh_from_db()
    assert admin.totp_enabled is True and len(codes) == 10
    assert ActivityLog.objects.count() == 0


@pytest.mark.parametrize(
    ("trust", "forwarded", "logged"),
    [
        (False, "192.0.2.55", IP),
        (True, "192.0.2.55, 10.0.0.1", "192.0.2.55"),
        (True, "not-an-address", None),
    ],
)
def test_auth_log_ip_uses_proxy_header_only_when_trusted(
    client, world, settings, trust, forwarded, logged
):
    settings.TRUST_PROXY_HEADERS = trust

    login(client, world.operator.email, PASSWORD, HTTP_X_FORWARDED_FOR=forwarded)

    assert AuthLog.objects.get().ip == logged
