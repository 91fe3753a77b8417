from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "netbill.billing"
    label = "billing"
