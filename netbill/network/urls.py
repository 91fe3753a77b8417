from django.urls import path  # noqa: F401

from netbill.network.routers_urls import urlpatterns as router_urls

app_name = "network"

urlpatterns: list = [*router_urls]
