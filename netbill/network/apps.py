from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "netbill.network"
    label = "network"
