from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "netbill.ledger"
    label = "ledger"
