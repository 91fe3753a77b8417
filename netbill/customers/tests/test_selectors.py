"""customer_list with plain dicts (as the API and the bulk update call it)."""

from decimal import Decimal

import pytest

from netbill.core.testing import make_customer
from netbill.customers import selectors, services

pytestmark = pytest.mark.django_db


def usernames(qs) -> list[str]:
    return list(qs.values_list("username", flat=True))


def test_customer_list_without_params_is_alive_scope_newest_first(world, other_world):
    first = make_customer(world, username="first")
    make_customer(world, username="second")
    make_customer(world, owner=world.operator2, username="notmine")
    make_customer(world, username="gone", deleted_at=first.created_at)
    make_customer(other_world, owner=other_world.operator, username="elsewhere")

    assert usernames(selectors.customer_list(user=world.operator)) == ["second", "first"]
    assert usernames(selectors.customer_list(user=world.admin, params={"sort": "username"})) == [
        "first",
        "notmine",
        "second",
    ]


def test_customer_list_malformed_id_filter_matches_nothing(world):
    make_customer(world, username="one")

    assert usernames(selectors.customer_list(user=world.admin, params={"zone": "abc"})) == []
    assert usernames(selectors.customer_list(user=world.admin, params={"zone": ""})) == ["one"]
    assert usernames(selectors.customer_list(user=world.admin, params={"status": "bogus"})) == [
        "one"
    ]


def test_manager_sees_its_parents_scope_and_owner_choices(world):
    make_customer(world, username="op")
    make_customer(world, owner=world.sub_operator, username="sub")
    make_customer(world, owner=world.operator2, username="op2")

    assert usernames(
        selectors.customer_list(user=world.op_manager, params={"sort": "username"})
    ) == ["op", "sub"]
    assert set(selectors.owner_choices(world.op_manager)) == {world.operator, world.sub_operator}
    assert set(selectors.owner_choices(world.sub_operator)) == {world.sub_operator}


def test_list_price_annotation_equals_customer_price(world):
    customers = [
        make_customer(world, custom_price=Decimal("0.00")),
        make_customer(world, owner=world.sub_operator, package=world.package2),
        make_customer(world, owner=world.admin, package=world.package2),
    ]

    annotated = {
        c.pk: c.list_price
        for c in selectors.with_list_price(selectors.customer_list(user=world.admin))
    }

    assert annotated == {c.pk: services.customer_price(c) for c in customers}
    assert list(annotated.values()) == [Decimal("1200.00"), Decimal("1200.00"), Decimal("0.00")]
