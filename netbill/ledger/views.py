"""Accounting pages: reseller money (the parent's list, Add Balance, Entry Cash Received,
credit limit, statements; a reseller's own account) and expenses with their categories.

Views parse input and call the services (``ledger.resellers``, ``ledger.expenses``,
``accounts.services.staff_update``); reads go through ``visible_to(request.user)``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from netbill.accounts.models import User
from netbill.accounts.services import staff_update
from netbill.core import permissions as P
from netbill.core.choices import AccountType, Role
from netbill.core.money import ZERO, money
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, apply_validation_error, paginate
from netbill.ledger import expenses as expense_services
from netbill.ledger.forms import (
    CreditLimitForm,
    DateRangeForm,
    ExpenseCategoryForm,
    ExpenseCategoryRenameForm,
    ExpenseFilterForm,
    ExpenseForm,
    ResellerMoneyForm,
    VoidForm,
)
from netbill.ledger.models import Expense, ExpenseCategory
from netbill.ledger.resellers import reseller_add_balance, reseller_cash_received
from netbill.ledger.selectors import (
    children_resellers,
    own_reseller,
    position_view,
    reseller_position,
    reseller_positions,
    reseller_statement,
    upstream_book_id,
)

KIND_LABELS = {
    "reseller.add_balance": gettext_lazy("Add balance"),
    "reseller.cash_received": gettext_lazy("Cash received"),
    "reseller.add_balance.reversal": gettext_lazy("Add balance (reversed)"),
    "reseller.cash_received.reversal": gettext_lazy("Cash received (reversed)"),
}


def kind_label(kind: str) -> str:
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    if kind.startswith("bill."):
        label = _("Charge: %(kind)s bill") % {"kind": kind.split(".")[1]}
        return label + (" " + _("(reversed)") if kind.endswith(".reversal") else "")
    return kind


def statement_context(request, reseller: User) -> dict:
    form = DateRangeForm(request.GET or None)
    date_from, date_to = form.range()
    statement = reseller_statement(reseller, date_from=date_from, date_to=date_to)
    prepaid = reseller.account_type != AccountType.POSTPAID
    sign = -1 if prepaid else 1  # prepaid: show the deposit; postpaid: what is owed
    for row in statement["movements"]:
        row["kind_label"] = kind_label(row["kind"])
        row["shown"] = sign * row["balance"]
    return {
        "range_form": form,
        "date_from": date_from,
        "date_to": date_to,
        "statement": statement,
        "opening_shown": sign * statement["opening"],
        "closing_shown": sign * statement["closing"],
        "prepaid": prepaid,
    }


# --- the parent's side -----------------------------------------------------------------------


class ResellerListView(PanelMixin, View):
    permission_key = P.MANAGE_STAFF

    def get(self, request):
        user = request.user
        resellers = list(children_resellers(user).order_by("name", "pk"))
        book = user.pk if user.role == Role.OPERATOR else None
        positions = reseller_positions([r.pk for r in resellers], book_id=book)
        rows = [{"reseller": r, **position_view(r, positions.get(r.pk, ZERO))} for r in resellers]
        return render(
            request,
            "ledger/resellers.html",
            {
                "rows": rows,
                "page_title": _("Sub-operator accounts")
                if user.role == Role.OPERATOR
                else _("Reseller accounts"),
            },
        )


class _ResellerMixin(PanelMixin):
    permission_key = P.MANAGE_STAFF

    def get_reseller(self) -> User:
        return get_visible_or_404(
            children_resellers(self.request.user), self.request.user, pk=self.kwargs["pk"]
        )


class ResellerMoneyView(_ResellerMixin, View):
    """Add Balance (``kind="add_balance"``) or Entry Cash Received (``"cash_received"``)."""

    kind = "add_balance"

    def title(self, reseller):
        if self.kind == "add_balance":
            return _("Add balance: %(name)s") % {"name": reseller.name}
        return _("Entry cash received: %(name)s") % {"name": reseller.name}

    def get(self, request, pk):
        reseller = self.get_reseller()
        return self._render(reseller, ResellerMoneyForm())

    def post(self, request, pk):
        reseller = self.get_reseller()
        form = ResellerMoneyForm(request.POST)
        if form.is_valid():
            service = reseller_add_balance if self.kind == "add_balance" else reseller_cash_received
            try:
                service(actor=request.user, reseller=reseller, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(amount)s recorded for %(name)s.")
                    % {"amount": form.cleaned_data["amount"], "name": reseller.name},
                )
                return redirect("ledger:resellers")
        return self._render(reseller, form, status=400)

    def _render(self, reseller, form, status=200):
        return render(
            self.request,
            "ledger/form.html",
            {
                "form": form,
                "page_title": self.title(reseller),
                "position": position_view(reseller, reseller_position(reseller)),
                "reseller": reseller,
                "cancel_url": reverse("ledger:resellers"),
                "submit": _("Record"),
            },
            status=status,
        )


class ResellerCreditLimitView(_ResellerMixin, View):
    def get(self, request, pk):
        reseller = self.get_reseller()
        return self._render(
            reseller, CreditLimitForm(initial={"credit_limit": reseller.credit_limit})
        )

    def post(self, request, pk):
        reseller = self.get_reseller()
        form = CreditLimitForm(request.POST)
        if form.is_valid():
            try:
                staff_update(
                    actor=request.user,
                    user=reseller,
                    credit_limit=money(form.cleaned_data["credit_limit"]),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The credit limit of %(name)s is %(limit)s.")
                    % {"name": reseller.name, "limit": form.cleaned_data["credit_limit"]},
                )
                return redirect("ledger:resellers")
        return self._render(reseller, form, status=400)

    def _render(self, reseller, form, status=200):
        return render(
            self.request,
            "ledger/form.html",
            {
                "form": form,
                "page_title": _("Credit limit: %(name)s") % {"name": reseller.name},
                "position": position_view(reseller, reseller_position(reseller)),
                "reseller": reseller,
                "cancel_url": reverse("ledger:resellers"),
                "submit": _("Save"),
            },
            status=status,
        )


class ResellerStatementView(_ResellerMixin, View):
    def get(self, request, pk):
        reseller = self.get_reseller()
        ctx = statement_context(request, reseller)
        ctx.update(
            {
                "reseller": reseller,
                "position": position_view(reseller, reseller_position(reseller)),
                "page_title": _("Statement: %(name)s") % {"name": reseller.name},
                "is_parent": True,
            }
        )
        return render(request, "ledger/statement.html", ctx)


# --- the reseller's own account --------------------------------------------------------------


class MyAccountView(PanelMixin, View):
    permission_key = P.VIEW_ACCOUNTS

    def get(self, request):
        reseller = own_reseller(request.user)
        if reseller is None:
            return render(
                request,
                "ledger/statement.html",
                {"reseller": None, "page_title": _("My account")},
            )
        ctx = statement_context(request, reseller)
        parent = reseller.parent
        ctx.update(
            {
                "reseller": reseller,
                "parent": parent,
                "upstream_is_isp": upstream_book_id(reseller) is None,
                "position": position_view(reseller, reseller_position(reseller)),
                "page_title": _("My account"),
                "is_parent": False,
            }
        )
        return render(request, "ledger/statement.html", ctx)


# --- expenses --------------------------------------------------------------------------------


class ExpenseListView(PanelMixin, View):
    permission_key = P.EXPENSE_MANAGEMENT

    def get(self, request):
        user = request.user
        form = ExpenseFilterForm(request.GET or None, user=user)
        qs = Expense.objects.visible_to(user).select_related(
            "category", "category__parent", "paid_by", "book"
        )
        if form.is_valid():
            data = form.cleaned_data
            if data.get("date_from"):
                qs = qs.filter(date__gte=data["date_from"])
            if data.get("date_to"):
                qs = qs.filter(date__lte=data["date_to"])
            if data.get("category"):
                category = data["category"]
                qs = qs.filter(Q(category=category) | Q(category__parent=category))
        total = qs.filter(voided_at__isnull=True).aggregate(total=Sum("amount"))["total"] or ZERO
        own_book = expense_services.book_id_of(user)
        page = paginate(request, qs.order_by("-date", "-id"))
        for expense in page:
            expense.can_void = expense.voided_at is None and expense.book_id == own_book
        return render(
            request,
            "ledger/expenses.html",
            {
                "filter_form": form,
                "page_obj": page,
                "total": total,
                "page_title": _("Expenses"),
            },
        )


class ExpenseCreateView(PanelMixin, View):
    permission_key = P.EXPENSE_MANAGEMENT

    def get(self, request):
        return self._render(ExpenseForm(user=request.user))

    def post(self, request):
        form = ExpenseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                expense = expense_services.expense_record(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Expense of %(amount)s in %(category)s recorded.")
                    % {"amount": expense.amount, "category": expense.category},
                )
                return redirect("ledger:expenses")
        return self._render(form, status=400)

    def _render(self, form, status=200):
        no_categories = not form.fields["category"].queryset.exists()
        return render(
            self.request,
            "ledger/form.html",
            {
                "form": form,
                "page_title": _("New expense"),
                "cancel_url": reverse("ledger:expenses"),
                "submit": _("Record"),
                "no_categories": no_categories,
            },
            status=status,
        )


class ExpenseVoidView(PanelMixin, View):
    permission_key = P.EXPENSE_MANAGEMENT

    def post(self, request, pk):
        user = request.user
        own = Expense.objects.filter(book_id=expense_services.book_id_of(user))
        expense = get_visible_or_404(own, user, pk=pk)
        form = VoidForm(request.POST)
        reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
        try:
            expense_services.expense_void(actor=user, expense=expense, reason=reason)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The expense is void."))
        return redirect("ledger:expenses")


class ExpenseCategoryListView(PanelMixin, View):
    permission_key = P.EXPENSE_MANAGEMENT

    def get(self, request):
        return self._render(ExpenseCategoryForm(user=request.user))

    def post(self, request):
        form = ExpenseCategoryForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                category = expense_services.expense_category_create(
                    actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("“%(name)s” is saved.") % {"name": category})
                return redirect("ledger:expense_categories")
        return self._render(form, status=400)

    def _render(self, form, status=200):
        categories = list(
            expense_services.categories_for(self.request.user)
            .filter(parent__isnull=True)
            .prefetch_related("subcategories")
            .order_by("name")
        )
        return render(
            self.request,
            "ledger/expense_categories.html",
            {"form": form, "categories": categories, "page_title": _("Expense categories")},
            status=status,
        )


class _OwnCategoryMixin(PanelMixin):
    permission_key = P.EXPENSE_MANAGEMENT

    def get_category(self) -> ExpenseCategory:
        user = self.request.user
        return get_visible_or_404(expense_services.categories_for(user), user, pk=self.kwargs["pk"])


class ExpenseCategoryEditView(_OwnCategoryMixin, View):
    def get(self, request, pk):
        category = self.get_category()
        return self._render(category, ExpenseCategoryRenameForm(initial={"name": category.name}))

    def post(self, request, pk):
        category = self.get_category()
        form = ExpenseCategoryRenameForm(request.POST)
        if form.is_valid():
            try:
                expense_services.expense_category_update(
                    actor=request.user, category=category, name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("“%(name)s” is saved.") % {"name": category.name})
                return redirect("ledger:expense_categories")
        return self._render(category, form, status=400)

    def _render(self, category, form, status=200):
        return render(
            self.request,
            "ledger/form.html",
            {
                "form": form,
                "page_title": _("Rename %(name)s") % {"name": category},
                "cancel_url": reverse("ledger:expense_categories"),
                "submit": _("Save"),
            },
            status=status,
        )


class ExpenseCategoryDeleteView(_OwnCategoryMixin, View):
    def post(self, request, pk):
        category = self.get_category()
        name = str(category)
        try:
            expense_services.expense_category_delete(actor=request.user, category=category)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(name)s” is deleted.") % {"name": name})
        return redirect("ledger:expense_categories")
