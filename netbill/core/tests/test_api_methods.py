"""A method an endpoint does not have answers 405 (not 403), for every role; anonymous
callers still get no further than authentication."""

import pytest
from rest_framework.test import APIClient

from netbill.core.testing import make_customer, make_world

pytestmark = pytest.mark.django_db


def test_wrong_method_is_405_even_without_the_key():
    world = make_world()
    customer = make_customer(world)
    api = APIClient()
    for user in (world.admin, world.sales):
        api.force_authenticate(user)
        assert api.put(f"/api/v1/customers/{customer.pk}/", {}, format="json").status_code == 405
        assert api.delete("/api/v1/sessions/1/").status_code == 405
    api.force_authenticate(world.sales)
    # An existing method the caller lacks the key for is still refused.
    assert api.get("/api/v1/sessions/").status_code == 403
    api.force_authenticate(None)
    assert api.put(f"/api/v1/customers/{customer.pk}/", {}, format="json").status_code in (401, 403)
