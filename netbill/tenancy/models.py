"""Tenants: one ISP (the "group admin" company) per row."""

from zoneinfo import available_timezones

from django.db import models
from django.utils.translation import gettext_lazy as _

TIMEZONE_CHOICES = sorted((tz, tz) for tz in available_timezones())


class Tenant(models.Model):
    """One ISP using netbill, with its company settings and invoice branding."""

    name = models.CharField(_("company name"), max_length=120)
    slug = models.SlugField(unique=True, max_length=60)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="BDT")
    timezone = models.CharField(
        _("timezone"), max_length=64, default="Asia/Dhaka", choices=TIMEZONE_CHOICES
    )
    invoice_footer = models.TextField(_("invoice footer"), blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ISP")

    def __str__(self):
        return self.name
