"""Expenses: categories per book, posting Dr Expenses / Cr Cash in the actor's book, voids
by reversing entry, and the pages (list with filters and total, create, categories)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state
from netbill.ledger.expenses import (
    expense_category_create,
    expense_category_delete,
    expense_category_update,
    expense_record,
    expense_void,
)
from netbill.ledger.models import Expense, ExpenseCategory, JournalEntry, JournalLine

pytestmark = pytest.mark.django_db
D = Decimal


def lines_of(entry):
    return sorted(
        (line.account.code, line.amount, line.book_id, line.party, line.staff_id)
        for line in entry.lines.select_related("account")
    )


def state():
    return db_state(Expense, ExpenseCategory, JournalEntry, JournalLine, ActivityLog)


def test_isp_expense_posts_expenses_against_the_payers_cash(world):
    rent = expense_category_create(actor=world.admin, name="Rent")
    office = expense_category_create(actor=world.admin, name="Office", parent=rent)
    day = timezone.localdate() - datetime.timedelta(days=3)

    expense = expense_record(
        actor=world.admin, category=office, amount="1500.50", date=day, note="May rent"
    )

    assert (expense.book, expense.amount, expense.date, expense.paid_by) == (
        None,
        D("1500.50"),
        day,
        world.admin,
    )
    assert (expense.entry.kind, expense.entry.date) == ("expense", day)
    assert lines_of(expense.entry) == [
        ("1000", D("-1500.50"), None, "", world.admin.pk),
        ("5000", D("1500.50"), None, "Rent / Office", None),
    ]
    assert ActivityLog.objects.filter(action="expense.record").count() == 1


def test_operators_manager_records_in_the_operators_book(world):
    world.op_manager.granted_keys = [P.EXPENSE_MANAGEMENT]
    world.op_manager.save()
    fuel = expense_category_create(actor=world.op_manager, name="Fuel")
    assert fuel.book == world.operator

    expense = expense_record(actor=world.op_manager, category=fuel, amount="300")

    assert expense.book == world.operator
    assert lines_of(expense.entry) == [
        ("1000", D("-300.00"), world.operator.pk, "", world.op_manager.pk),
        ("5000", D("300.00"), world.operator.pk, "Fuel", None),
    ]


def test_category_of_another_book_is_refused_naming_category(world):
    isp_rent = expense_category_create(actor=world.admin, name="Rent")
    before = state()
    with pytest.raises(ValidationError) as exc:
        expense_record(actor=world.operator, category=isp_rent, amount="100")
    assert list(exc.value.message_dict) == ["category"]
    with pytest.raises(ValidationError) as exc:
        expense_category_create(actor=world.operator, name="Sub", parent=isp_rent)
    assert list(exc.value.message_dict) == ["parent"]
    assert state() == before


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("amount", {"amount": "0"}),
        ("amount", {"amount": "abc"}),
        ("date", {"date": timezone.localdate() + datetime.timedelta(days=1)}),
    ],
)
def test_invalid_expense_is_refused_naming_the_field(world, field, values):
    rent = expense_category_create(actor=world.admin, name="Rent")
    before = state()
    with pytest.raises(ValidationError) as exc:
        expense_record(actor=world.admin, category=rent, **{"amount": "10", **values})
    assert list(exc.value.message_dict) == [field]
    assert state() == before


def test_manager_without_expense_management_cannot_record(world):
    rent = expense_category_create(actor=world.operator, name="Rent")
    before = state()
    with pytest.raises(PermissionDenied):
        expense_record(actor=world.op_manager, category=rent, amount="100")
    assert state() == before


def test_void_posts_the_reversing_entry_once(world):
    rent = expense_category_create(actor=world.admin, name="Rent")
    expense = expense_record(actor=world.admin, category=rent, amount="800")

    expense_void(actor=world.admin, expense=expense, reason="typo")

    expense.refresh_from_db()
    assert expense.voided_at is not None
    assert expense.void_entry.reverses_id == expense.entry_id
    assert lines_of(expense.void_entry) == [
        ("1000", D("800.00"), None, "", world.admin.pk),
        ("5000", D("-800.00"), None, "Rent", None),
    ]
    assert JournalLine.objects.filter(account__code="5000").count() == 2
    before = state()
    with pytest.raises(ValidationError) as exc:
        expense_void(actor=world.admin, expense=expense, reason="again")
    assert exc.value.message_dict == {"expense": ["This expense is already void."]}
    assert state() == before


def test_only_the_recording_book_voids_an_expense(world):
    sub_cat = expense_category_create(actor=world.sub_operator, name="Cable")
    expense = expense_record(actor=world.sub_operator, category=sub_cat, amount="50")
    before = state()
    with pytest.raises(ValidationError):
        expense_void(actor=world.operator, expense=expense)
    assert state() == before


def test_categories_rename_unique_names_and_delete_only_unused(world):
    rent = expense_category_create(actor=world.admin, name="Rent")
    with pytest.raises(ValidationError) as exc:
        expense_category_create(actor=world.admin, name="rent")
    assert list(exc.value.message_dict) == ["name"]
    # the same name is fine in another book and under another parent
    expense_category_create(actor=world.operator, name="Rent")
    sub = expense_category_create(actor=world.admin, name="Rent", parent=rent)
    with pytest.raises(ValidationError) as exc:
        expense_category_create(actor=world.admin, name="Deeper", parent=sub)
    assert list(exc.value.message_dict) == ["parent"]

    expense_category_update(actor=world.admin, category=sub, name="Warehouse")
    sub.refresh_from_db()
    assert str(sub) == "Rent / Warehouse"

    with pytest.raises(ValidationError):
        expense_category_delete(actor=world.admin, category=rent)  # has a subcategory
    expense_record(actor=world.admin, category=sub, amount="10")
    with pytest.raises(ValidationError):
        expense_category_delete(actor=world.admin, category=sub)  # has an expense
    spare = expense_category_create(actor=world.admin, name="Spare")
    expense_category_delete(actor=world.admin, category=spare)
    assert not ExpenseCategory.objects.filter(pk=spare.pk).exists()


# --- pages ------------------------------------------------------------------------------------


def test_expense_pages_create_list_filter_total_and_void(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("ledger:expense_categories"), {"name": "Salaries"})
    assert response.status_code == 302
    salaries = ExpenseCategory.objects.get(name="Salaries")
    response = client.post(
        reverse("ledger:expense_categories"), {"name": "Technicians", "parent": salaries.pk}
    )
    assert response.status_code == 302
    techs = ExpenseCategory.objects.get(name="Technicians")
    other = expense_category_create(actor=world.admin, name="Internet")
    today = timezone.localdate()
    assert client.get(reverse("ledger:expense_create")).status_code == 200
    for category, amount, day in (
        (techs, "1000", today),
        (salaries, "500", today - datetime.timedelta(days=2)),
        (other, "70", today),
    ):
        response = client.post(
            reverse("ledger:expense_create"),
            {"category": category.pk, "amount": amount, "date": str(day), "note": "n"},
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert Expense.objects.count() == 3

    response = client.get(reverse("ledger:expenses"))
    assert response.status_code == 200
    assert response.context["total"] == D("1570.00")

    # the parent category includes its subcategories
    response = client.get(reverse("ledger:expenses"), {"category": salaries.pk})
    assert response.context["total"] == D("1500.00")
    response = client.get(
        reverse("ledger:expenses"), {"date_from": str(today), "date_to": str(today)}
    )
    assert response.context["total"] == D("1070.00")

    # a void leaves the list but not the total
    internet = Expense.objects.get(category=other)
    response = client.post(reverse("ledger:expense_void", args=[internet.pk]), {"reason": "dup"})
    assert response.status_code == 302
    response = client.get(reverse("ledger:expenses"))
    assert response.context["total"] == D("1500.00")
    assert len(response.context["page_obj"]) == 3

    page = client.get(reverse("ledger:expense_categories")).content.decode()
    assert "Salaries" in page and "Technicians" in page


def test_expense_form_offers_only_own_book_categories(client, world):
    expense_category_create(actor=world.admin, name="ISP Rent")
    mine = expense_category_create(actor=world.operator, name="Op Fuel")
    client.force_login(world.operator)
    form = client.get(reverse("ledger:expense_create")).context["form"]
    assert list(form.fields["category"].queryset) == [mine]


def test_invalid_expense_form_shows_service_errors(client, world):
    rent = expense_category_create(actor=world.admin, name="Rent")
    client.force_login(world.admin)
    future = timezone.localdate() + datetime.timedelta(days=5)
    before = state()
    response = client.post(
        reverse("ledger:expense_create"),
        {"category": rent.pk, "amount": "10", "date": str(future)},
    )
    assert response.status_code == 400
    assert 'data-error-for="date"' in response.content.decode()
    assert state() == before


def test_operator_sees_sub_operator_expenses_but_cannot_void_them(client, world):
    cable = expense_category_create(actor=world.sub_operator, name="Cable")
    theirs = expense_record(actor=world.sub_operator, category=cable, amount="40")
    isp = expense_record(
        actor=world.admin,
        category=expense_category_create(actor=world.admin, name="ISP only"),
        amount="999",
    )
    client.force_login(world.operator)

    response = client.get(reverse("ledger:expenses"))

    assert [e.pk for e in response.context["page_obj"]] == [theirs.pk]
    assert response.context["page_obj"][0].can_void is False
    assert isp.pk not in [e.pk for e in response.context["page_obj"]]
    before = state()
    assert client.post(reverse("ledger:expense_void", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("ledger:expense_void", args=[isp.pk])).status_code == 404
    url = reverse("ledger:expense_category_edit", args=[cable.pk])
    assert client.get(url).status_code == 404
    assert state() == before


def test_category_rename_and_delete_pages(client, world):
    cat = expense_category_create(actor=world.admin, name="Misc")
    client.force_login(world.admin)
    url = reverse("ledger:expense_category_edit", args=[cat.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Sundry"}).status_code == 302
    cat.refresh_from_db()
    assert cat.name == "Sundry"
    response = client.post(reverse("ledger:expense_category_delete", args=[cat.pk]))
    assert response.status_code == 302
    assert not ExpenseCategory.objects.filter(pk=cat.pk).exists()


def test_expense_list_takes_the_same_queries_for_more_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rent = expense_category_create(actor=world.admin, name="Rent")
    sub = expense_category_create(actor=world.admin, name="Shop", parent=rent)
    client.force_login(world.admin)
    counts = []
    for n in (1, 5):
        for _ in range(n):
            expense_record(actor=world.admin, category=sub, amount="10")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("ledger:expenses")).status_code == 200
            assert client.get(reverse("ledger:expense_categories")).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
