"""Permission-matrix rows of the reports API (see core/tests/test_permission_matrix.py).  The
lead wires them in: ``ACTIONS += matrix_api.ACTIONS`` (e.g. from ``reports/tests/matrix.py``);
no setup is needed (a report of nothing is still a report).

Subject: the operator's manager holding only the report's key."""

from __future__ import annotations

from netbill.core import permissions as P
from netbill.core.matrix import Action


def _report(name):
    return lambda c: f"/api/v1/reports/{name}/"


ACTIONS = [
    Action(P.VIEW_BILLS, "bills summary report", "api", "get", _report("bills-summary")),
    *(
        Action(P.VIEW_ACCOUNTS, f"{name} report", "api", "get", _report(name))
        for name in (
            "daily",
            "monthly",
            "income-expense",
            "operator-incomes",
            "vat",
            "receivable",
            "payable",
            "trial-balance",
        )
    ),
]
