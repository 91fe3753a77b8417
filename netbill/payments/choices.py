from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    ONLINE = "online", _("Online gateway")
    CARD = "card", _("Recharge card")
    ADVANCE = "advance", _("Advance (wallet)")
    BANK = "bank", _("Bank")


class OnlineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Unused")
    REDEEMED = "redeemed", _("Redeemed")
    VOID = "void", _("Void")
