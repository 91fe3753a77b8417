"""Company settings (group admin) and the platform administrator's ISP pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from netbill.accounts.models import User
from netbill.core.choices import Role
from netbill.core.models import ActivityLog
from netbill.core.testing import PASSWORD, db_state, make_platform_admin
from netbill.tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def png(name="logo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def settings_data(**extra):
    data = {
        "name": "Alpha Net Ltd",
        "address": "House 5, Road 2, Dhanmondi",
        "phone": "09610000000",
        "email": "billing@alpha.test",
        "currency": "bdt",
        "timezone": "Asia/Dhaka",
        "invoice_footer": "Thank you for staying with us.",
    }
    data.update(extra)
    return data


# --- company settings -------------------------------------------------------------------


def test_group_admin_saves_company_settings_with_a_logo(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("tenancy:settings")).status_code == 200

    response = client.post(reverse("tenancy:settings"), settings_data(logo=png()))

    assert response["Location"] == reverse("tenancy:settings")
    tenant = Tenant.objects.get(pk=world.tenant.pk)
    assert (
        tenant.name,
        tenant.address,
        tenant.phone,
        tenant.email,
        tenant.currency,
        tenant.timezone,
        tenant.invoice_footer,
    ) == (
        "Alpha Net Ltd",
        "House 5, Road 2, Dhanmondi",
        "09610000000",
        "billing@alpha.test",
        "BDT",
        "Asia/Dhaka",
        "Thank you for staying with us.",
    )
    assert tenant.logo.name.startswith("logos/logo")
    log = ActivityLog.objects.get(action="tenant.update")
    assert log.actor == world.admin and log.tenant_id == world.tenant.pk
    assert log.before == {
        "name": "Alpha Net",
        "address": "",
        "phone": "",
        "email": "",
        "invoice_footer": "",
        "logo": "",
    }
    assert log.after["logo"] == tenant.logo.name
    assert 'data-testid="logo"' in client.get(reverse("tenancy:settings")).content.decode()


def test_saving_without_a_new_logo_keeps_it_and_remove_clears_it(client, world):
    client.force_login(world.admin)
    client.post(reverse("tenancy:settings"), settings_data(logo=png()))

    client.post(reverse("tenancy:settings"), settings_data(phone="01700000000"))
    tenant = Tenant.objects.get(pk=world.tenant.pk)
    assert tenant.logo.name.startswith("logos/") and tenant.phone == "01700000000"

    client.post(reverse("tenancy:settings"), settings_data(remove_logo="on"))
    assert Tenant.objects.get(pk=world.tenant.pk).logo.name == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "BD", "Ensure this value has at least 3 characters (it has 2)."),
        ("currency", "12$", "Use a three-letter currency code, e.g. BDT."),
        (
            "timezone",
            "Mars/Olympus",
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
        ("name", "", "This field is required."),
    ],
)
def test_bad_company_settings_name_the_field_and_change_nothing(
    client, world, field, value, message
):
    client.force_login(world.admin)
    before = db_state(Tenant, ActivityLog)

    response = client.post(reverse("tenancy:settings"), settings_data(**{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert db_state(Tenant, ActivityLog) == before


def test_a_non_image_logo_is_refused(client, world):
    client.force_login(world.admin)
    before = db_state(Tenant)

    response = client.post(
        reverse("tenancy:settings"),
        settings_data(
            logo=SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
        ),
    )

    assert "logo" in response.context["form"].errors
    assert db_state(Tenant) == before


@pytest.mark.parametrize("who", ["operator", "sub_operator", "op_manager", "noc", "sales"])
def test_company_settings_without_edit_company_is_403(client, world, who):
    client.force_login(getattr(world, who))
    before = db_state(Tenant)

    assert client.get(reverse("tenancy:settings")).status_code == 403
    assert client.post(reverse("tenancy:settings"), settings_data()).status_code == 403
    assert db_state(Tenant) == before


def test_company_settings_menu_item_only_for_the_group_admin(client, world):
    client.force_login(world.admin)
    assert 'data-menu="tenancy:settings"' in client.get(reverse("core:dashboard")).content.decode()
    client.force_login(world.operator)
    assert 'data-menu="tenancy:settings"' not in (
        client.get(reverse("core:dashboard")).content.decode()
    )


def test_settings_change_only_the_admins_own_tenant(client, world, other_world):
    client.force_login(world.admin)
    before = db_state(Tenant.objects.filter(pk=other_world.tenant.pk))

    client.post(reverse("tenancy:settings"), settings_data())

    assert db_state(Tenant.objects.filter(pk=other_world.tenant.pk)) == before


# --- platform administrator --------------------------------------------------------------


def tenant_data(**extra):
    data = {
        "name": "Gamma Broadband",
        "slug": "",
        "address": "Sylhet",
        "phone": "",
        "email": "",
        "currency": "BDT",
        "timezone": "Asia/Dhaka",
        "admin_name": "Gamma Admin",
        "admin_email": "Admin@Gamma.test",
        "new_password": "Gamma-pass-2026",
        "new_password2": "Gamma-pass-2026",
    }
    data.update(extra)
    return data


def test_platform_admin_creates_an_isp_whose_group_admin_can_log_in(client, db):
    platform = make_platform_admin()
    client.force_login(platform)
    assert client.get(reverse("tenancy:platform_create")).status_code == 200

    response = client.post(reverse("tenancy:platform_create"), tenant_data())

    assert response["Location"] == reverse("tenancy:platform")
    tenant = Tenant.objects.get()
    assert (tenant.name, tenant.slug, tenant.address, tenant.currency, tenant.timezone) == (
        "Gamma Broadband",
        "gamma-broadband",
        "Sylhet",
        "BDT",
        "Asia/Dhaka",
    )
    admin = User.objects.get(tenant=tenant)
    assert (admin.email, admin.name, admin.role, admin.parent) == (
        "admin@gamma.test",
        "Gamma Admin",
        Role.GROUP_ADMIN,
        None,
    )
    assert set(ActivityLog.objects.filter(tenant=tenant).values_list("action", "actor")) == {
        ("tenant.create", platform.pk),
        ("staff.create", platform.pk),
    }
    listing = client.get(reverse("tenancy:platform")).content.decode()
    assert 'data-tenant="gamma-broadband"' in listing
    assert 'data-testid="platform-menu"' in listing

    client.logout()
    login = client.post(
        reverse("accounts:login"), {"email": "admin@gamma.test", "password": "Gamma-pass-2026"}
    )
    assert login["Location"] == reverse("core:dashboard")


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            {"admin_email": "platform@netbill.test"},
            "admin_email",
            "An account with this email already exists.",
        ),
        (
            {"new_password": "short", "new_password2": "short"},
            "new_password",
            "This password is too short. It must contain at least 8 characters.",
        ),
        ({"new_password2": "Other-pass-2026"}, "new_password2", "The two passwords do not match."),
        ({"slug": "alpha-net"}, "slug", "ISP with this Slug already exists."),
    ],
)
def test_bad_isp_input_names_the_field_and_creates_nothing(client, world, extra, field, message):
    client.force_login(make_platform_admin())
    before = db_state(Tenant, User, ActivityLog)

    response = client.post(reverse("tenancy:platform_create"), tenant_data(**extra))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert db_state(Tenant, User, ActivityLog) == before


@pytest.mark.parametrize("who", ["admin", "operator", "noc"])
def test_tenant_staff_get_403_on_platform_pages(client, world, who):
    client.force_login(getattr(world, who))
    before = db_state(Tenant, User)

    assert client.get(reverse("tenancy:platform")).status_code == 403
    assert client.get(reverse("tenancy:platform_create")).status_code == 403
    assert client.post(reverse("tenancy:platform_create"), tenant_data()).status_code == 403
    assert db_state(Tenant, User) == before


def test_platform_admin_is_sent_from_the_tenant_panel_to_platform_pages(client, db):
    client.force_login(make_platform_admin())

    assert client.get(reverse("core:dashboard"))["Location"] == reverse("tenancy:platform")
    assert client.get(reverse("accounts:staff"))["Location"] == reverse("tenancy:platform")
    security = client.get(reverse("accounts:security"))
    assert security.status_code == 200
    assert 'data-testid="platform-menu"' in security.content.decode()


def test_platform_admin_changes_own_password(client, db):
    platform = make_platform_admin()
    client.force_login(platform)

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "Platform-2026",
            "new_password2": "Platform-2026",
        },
    )

    platform.refresh_from_db()
    assert platform.check_password("Platform-2026")
    assert client.get(reverse("tenancy:platform")).status_code == 200
