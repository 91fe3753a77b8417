from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingType(models.TextChoices):
    MONTHLY = "monthly", _("Monthly (postpaid)")
    DAILY = "daily", _("Daily (prepaid)")
    FREE = "free", _("Free")
