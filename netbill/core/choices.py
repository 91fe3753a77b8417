"""Choices shared across apps (roles live here because permissions and scope need them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GROUP_ADMIN = "group_admin", _("Group admin")
    OPERATOR = "operator", _("Operator")
    SUB_OPERATOR = "sub_operator", _("Sub-operator")
    MANAGER = "manager", _("Manager")
    NOC = "noc", _("NOC user")
    SALES_MANAGER = "sales_manager", _("Sales manager")


RESELLER_ROLES = (Role.OPERATOR, Role.SUB_OPERATOR)


class AccountType(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid (debit balance)")
    POSTPAID = "postpaid", _("Postpaid (credit limit)")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Delivered")
    DEAD = "dead", _("Dead letter")
