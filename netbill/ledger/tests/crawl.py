"""Cross-scope crawl objects of the foreign tenant: expense categories (ISP and operator
books), expenses and reseller balance movements (see core/tests/test_crawl.py)."""

from __future__ import annotations

from netbill.ledger.expenses import expense_category_create, expense_record
from netbill.ledger.resellers import reseller_add_balance


def populate(foreign, marker):
    rent = expense_category_create(actor=foreign.admin, name=f"{marker} Rent")
    office = expense_category_create(actor=foreign.admin, name=f"{marker} Office", parent=rent)
    expense_record(actor=foreign.admin, category=office, amount="900", note=f"{marker} expense")
    fuel = expense_category_create(actor=foreign.operator, name=f"{marker} Fuel")
    expense_record(actor=foreign.operator, category=fuel, amount="60", note=f"{marker} fuel")
    reseller_add_balance(
        actor=foreign.admin, reseller=foreign.operator, amount="5000", note=f"{marker} top-up"
    )
    reseller_add_balance(
        actor=foreign.operator, reseller=foreign.sub_operator, amount="700", note=f"{marker} sub"
    )
