from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "netbill.customers"
    label = "customers"
