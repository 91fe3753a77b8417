from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "netbill.catalog"
    label = "catalog"
