"""The OpenAPI schema generates cleanly and the docs page loads nothing from the Internet."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from netbill.accounts.models import User

pytestmark = pytest.mark.django_db


def test_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any warning (a view without a serializer, an unresolvable
    # field type …) into a non-zero exit.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/customers/",
        "/api/v1/customers/{id}/suspend/",
        "/api/v1/customers/bulk/",
        "/api/v1/staff/{id}/keys/",
        "/api/v1/tokens/",
        "/api/v1/company/",
        "/api/v1/tenants/",
        "/api/v1/operator-packages/{id}/price/",
    ):
        assert path in schema["paths"], path


def test_schema_endpoint_serves_json_with_token_security(world):
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=world.admin.pk))
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    customer_list = schema["paths"]["/api/v1/customers/"]["get"]
    assert {p["name"] for p in customer_list["parameters"]} >= {
        "q",
        "status",
        "zone",
        "package",
        "owner",
        "customer_type",
        "sort",
        "page",
    }
    token_auth = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (token_auth["type"], token_auth["in"], token_auth["name"]) == (
        "apiKey",
        "header",
        "Authorization",
    )
    create = schema["paths"]["/api/v1/customers/"]["post"]["requestBody"]
    ref = create["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["required"]) == {
        "customer_type",
        "name",
        "mobile",
        "username",
        "package",
        "billing_profile",
    }


def test_docs_page_uses_only_local_assets(world):
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=world.admin.pk))
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sorted(urls) == [
        "/static/vendor/swagger-ui/favicon-32x32.png",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui-standalone-preset.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ]
    assert not re.search(r"https?://", html)
    assert '"validatorUrl": null' in html
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), url


def test_browsable_api_offers_the_input_form_and_loads_only_local_assets(client, world):
    client.force_login(world.admin)
    response = client.get("/api/v1/customers/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="customer_type"' in html and 'name="billing_profile"' in html
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/") for url in assets), assets


def test_options_describes_what_a_post_takes(world):
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=world.admin.pk))
    post = client.options("/api/v1/customers/").json()["actions"]["POST"]
    assert post["username"]["required"] is True
    assert "owner_name" not in post
