from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "netbill.reports"
    label = "reports"
