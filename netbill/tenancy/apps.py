from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "netbill.tenancy"
    label = "tenancy"
