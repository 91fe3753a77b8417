"""Catalog panel: master packages and their assignment to resellers, the resellers' own
packages (with the customer price they may edit), billing profiles and VAT profiles.

Views only parse input and call :mod:`netbill.catalog.services`; every read goes through
``visible_to(request.user)`` and rows outside it answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from netbill.catalog import services
from netbill.catalog.forms import (
    AssignPackageForm,
    BillingProfileForm,
    CustomerPriceForm,
    MasterPackageForm,
    PassOnPackageForm,
    VatProfileForm,
)
from netbill.catalog.models import (
    BillingProfile,
    MasterPackage,
    OperatorPackage,
    VatProfile,
    _reseller_of,
)
from netbill.core import permissions as P
from netbill.core.choices import Role
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, ScopedListView, apply_validation_error
from netbill.core.views import ServiceFormView as BaseServiceFormView


def _count_subquery(queryset, field: str):
    """``COUNT(*)`` of ``queryset`` rows whose ``field`` is the outer row (0 when none)."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- master packages -------------------------------------------------------------------------


class PackageListView(ScopedListView):
    model = MasterPackage
    permission_key = P.MANAGE_CATALOG
    template_name = "catalog/packages.html"

    def get_queryset(self):
        from netbill.customers.models import Customer

        user = self.request.user
        return (
            super()
            .get_queryset()
            .annotate(
                reseller_count=_count_subquery(
                    OperatorPackage.objects.visible_to(user).filter(is_active=True),
                    "master_package",
                ),
                customer_count=_count_subquery(
                    Customer.objects.visible_to(user).alive(), "package"
                ),
            )
        )


class ServiceFormView(BaseServiceFormView):
    """Create or edit one catalog object through its service."""

    permission_key = P.MANAGE_CATALOG
    template_name = "catalog/form.html"


class PackageFormView(ServiceFormView):
    model = MasterPackage
    form_class = MasterPackageForm
    success_url_name = "catalog:packages"
    title_create = gettext_lazy("New master package")
    title_edit = gettext_lazy("Edit master package")

    def get_form(self, obj, data=None):
        return self.form_class(data, instance=obj, user=self.request.user)

    def save(self, obj, data):
        if obj is None:
            return services.master_package_create(actor=self.request.user, **data)
        return services.master_package_update(actor=self.request.user, package=obj, **data)

    def get_success_url(self, saved):
        return reverse("catalog:package_detail", args=[saved.pk])


class PackageDetailView(PanelMixin, View):
    """A master package, the resellers it is assigned to, and the form to assign it."""

    permission_key = P.MANAGE_CATALOG
    template_name = "catalog/package_detail.html"

    def render_page(self, package, form, status=200):
        assignments = (
            OperatorPackage.objects.visible_to(self.request.user)
            .filter(master_package=package)
            .select_related("operator", "operator__parent")
            .order_by("operator__name", "pk")
        )
        return render(
            self.request,
            self.template_name,
            {
                "package": package,
                "assignments": assignments,
                "form": form,
                "page_title": package.name,
            },
            status=status,
        )

    def get(self, request, pk):
        package = get_visible_or_404(MasterPackage, request.user, pk=pk)
        form = AssignPackageForm(user=request.user, initial={"customer_price": package.price})
        return self.render_page(package, form)

    def post(self, request, pk):
        package = get_visible_or_404(MasterPackage, request.user, pk=pk)
        form = AssignPackageForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assigned = services.operator_package_assign(
                    actor=request.user,
                    operator=data["operator"],
                    master_package=package,
                    reseller_price=data["reseller_price"],
                    customer_price=data["customer_price"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(package)s” is assigned to %(reseller)s.")
                    % {"package": package.name, "reseller": assigned.operator.name},
                )
                return redirect("catalog:package_detail", pk=package.pk)
        return self.render_page(package, form, status=400)


class OperatorPackageToggleView(PanelMixin, View):
    """Withdraw or give back an assignment (group admin: any; operator: its sub-operators')."""

    def post(self, request, pk):
        user = request.user
        if not (
            P.may(user, P.MANAGE_CATALOG)
            or (user.role == Role.OPERATOR and P.may(user, P.MANAGE_STAFF))
        ):
            raise PermissionDenied
        package = get_visible_or_404(
            OperatorPackage.objects.select_related("operator", "master_package"), user, pk=pk
        )
        try:
            services.operator_package_set_active(
                actor=user, package=package, is_active=not package.is_active
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if package.is_active:
                msg = _("“%(package)s” is withdrawn from %(reseller)s.")
            else:
                msg = _("“%(package)s” is given back to %(reseller)s.")
            messages.success(
                request,
                msg % {"package": package.master_package.name, "reseller": package.operator.name},
            )
        if user.role == Role.GROUP_ADMIN:
            return redirect("catalog:package_detail", pk=package.master_package_id)
        return redirect("catalog:operator_packages")


# --- the resellers' own packages -------------------------------------------------------------


def may_view_own_packages(user) -> bool:
    """Resellers and their managers see the packages assigned to them (as the menu says);
    the group admin's side sees every assignment."""
    if user.role not in (Role.GROUP_ADMIN, Role.OPERATOR, Role.SUB_OPERATOR, Role.MANAGER):
        return False
    return any(
        P.may(user, key)
        for key in (P.VIEW_CUSTOMER_DETAILS, P.EDIT_PACKAGE_PRICE, P.MANAGE_CATALOG)
    )


def _may_pass_on(user, reseller) -> bool:
    return (
        user.role == Role.OPERATOR
        and reseller is not None
        and reseller.pk == user.pk
        and P.may(user, P.MANAGE_STAFF)
    )


class OperatorPackagesView(PanelMixin, View):
    """The reseller's packages (speeds, its price, its customers' price), the billing
    profiles assigned to it, and for an operator the packages it passed on."""

    template_name = "catalog/operator_packages.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.tenant_id and not may_view_own_packages(user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, pass_on_form=None, status=200):
        user = self.request.user
        reseller = _reseller_of(user)
        packages = (
            OperatorPackage.objects.visible_to(user)
            .filter(is_active=True)
            .select_related("master_package", "operator")
        )
        if reseller is not None:
            packages = packages.filter(operator=reseller)
        packages = packages.order_by("master_package__name", "operator__name", "pk")
        ctx = {
            "page_title": _("My packages") if reseller is not None else _("Operator packages"),
            "reseller": reseller,
            "packages": packages,
            "billing_profiles": BillingProfile.objects.visible_to(user).filter(is_active=True),
            "can_edit_price": P.may(user, P.EDIT_PACKAGE_PRICE),
            "can_pass_on": _may_pass_on(user, reseller),
        }
        if ctx["can_pass_on"]:
            ctx["passed_on"] = (
                OperatorPackage.objects.visible_to(user)
                .filter(operator__parent=reseller)
                .select_related("master_package", "operator")
                .order_by("operator__name", "master_package__name")
            )
            ctx["pass_on_form"] = pass_on_form or PassOnPackageForm(user=user, reseller=reseller)
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request):
        return self.render_page()

    def post(self, request):
        """An operator passes one of its packages on to a sub-operator."""
        user = request.user
        reseller = _reseller_of(user)
        if not _may_pass_on(user, reseller):
            raise PermissionDenied
        form = PassOnPackageForm(request.POST, user=user, reseller=reseller)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assigned = services.operator_package_assign(
                    actor=user,
                    operator=data["operator"],
                    master_package=data["master_package"],
                    reseller_price=data["reseller_price"],
                    customer_price=data["customer_price"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(package)s” is assigned to %(reseller)s.")
                    % {"package": assigned.master_package.name, "reseller": assigned.operator.name},
                )
                return redirect("catalog:operator_packages")
        return self.render_page(pass_on_form=form, status=400)


class OperatorPackagePriceView(PanelMixin, View):
    """Change the customer price of an assigned package (``edit-package-price``)."""

    permission_key = P.EDIT_PACKAGE_PRICE
    template_name = "catalog/operator_package_price.html"

    def get_object(self):
        return get_visible_or_404(
            OperatorPackage.objects.select_related("master_package", "operator"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def render_page(self, package, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "package": package,
                "form": form,
                "page_title": _("Customer price of %(package)s")
                % {"package": package.master_package.name},
            },
            status=status,
        )

    def get(self, request, pk):
        package = self.get_object()
        return self.render_page(
            package, CustomerPriceForm(initial={"customer_price": package.customer_price})
        )

    def post(self, request, pk):
        package = self.get_object()
        form = CustomerPriceForm(request.POST)
        if form.is_valid():
            try:
                services.operator_package_set_customer_price(
                    actor=request.user,
                    package=package,
                    customer_price=form.cleaned_data["customer_price"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The customer price of “%(package)s” is saved.")
                    % {"package": package.master_package.name},
                )
                return redirect("catalog:operator_packages")
        return self.render_page(package, form, status=400)


# --- billing profiles ------------------------------------------------------------------------


class BillingProfileListView(ScopedListView):
    model = BillingProfile
    permission_key = P.MANAGE_CATALOG
    template_name = "catalog/billing_profiles.html"

    def get_queryset(self):
        from netbill.customers.models import Customer

        return (
            super()
            .get_queryset()
            .prefetch_related("resellers")
            .annotate(
                customer_count=_count_subquery(
                    Customer.objects.visible_to(self.request.user).alive(), "billing_profile"
                ),
            )
        )


class BillingProfileFormView(ServiceFormView):
    model = BillingProfile
    form_class = BillingProfileForm
    success_url_name = "catalog:billing_profiles"
    title_create = gettext_lazy("New billing profile")
    title_edit = gettext_lazy("Edit billing profile")

    def get_form(self, obj, data=None):
        return self.form_class(data, instance=obj, user=self.request.user)

    def save(self, obj, data):
        resellers = list(data.pop("resellers"))
        if obj is None:
            return services.billing_profile_create(
                actor=self.request.user, resellers=resellers, **data
            )
        return services.billing_profile_update(
            actor=self.request.user, profile=obj, resellers=resellers, **data
        )


# --- VAT profiles ----------------------------------------------------------------------------


class VatProfileListView(ScopedListView):
    model = VatProfile
    permission_key = P.MANAGE_CATALOG
    template_name = "catalog/vat_profiles.html"


class VatProfileFormView(ServiceFormView):
    model = VatProfile
    form_class = VatProfileForm
    success_url_name = "catalog:vat_profiles"
    title_create = gettext_lazy("New VAT profile")
    title_edit = gettext_lazy("Edit VAT profile")

    def save(self, obj, data):
        if obj is None:
            return services.vat_profile_create(actor=self.request.user, **data)
        return services.vat_profile_update(actor=self.request.user, profile=obj, **data)
