import pyotp, pytest
from django.urls import reverse
from netbill.accounts import security
from netbill.core.choices import Role

pytestmark = pytest.mark.django_db
STATIC = "file:///work/main/netbill/static/"

def save(name, response):
    html = response.content.decode().replace('href="/static/', f'href="{STATIC}').replace('src="/static/', f'src="{STATIC}')
    open(f"/tmp/pages/{name}.html", "w").write(html)

def test_shots(client, world):
    save("login", client.get(reverse("accounts:login")))
    client.force_login(world.admin)
    save("staff_list", client.get(reverse("accounts:staff")))
    save("staff_detail", client.get(reverse("accounts:staff_detail", args=[world.operator.pk])))
    save("staff_create_manager", client.get(reverse("accounts:staff_create"), {"role": "manager"}))
    save("staff_keys", client.get(reverse("accounts:staff_keys", args=[world.op_manager.pk])))
    save("staff_sections", client.get(reverse("accounts:staff_sections", args=[world.operator.pk])))
    client.post(reverse("accounts:security_enrol"))
    save("security_enrol", client.get(reverse("accounts:security")))
    world.admin.refresh_from_db()
    r = client.post(reverse("accounts:security_confirm"), {"code": pyotp.TOTP(security.totp_secret(world.admin)).now()})
    save("security_codes", r)
    save("settings", client.get(reverse("tenancy:settings")))
    client.post(reverse("accounts:get_access", args=[world.operator.pk]))
    save("getaccess", client.get(reverse("accounts:staff")))
    client.force_login(world.sales)
    save("sales_detail", client.get(reverse("accounts:staff_detail", args=[world.operator.pk])))
