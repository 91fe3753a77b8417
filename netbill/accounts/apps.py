from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "netbill.accounts"
    label = "accounts"
