from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "netbill.payments"
    label = "payments"
