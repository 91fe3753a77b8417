from netbill.network import urls_pools
from netbill.network.routers_urls import urlpatterns as router_urls

app_name = "network"

urlpatterns: list = [
    *router_urls,
    *urls_pools.urlpatterns,  # pool_, profile_, vpn_, ping_
]
