from netbill.network import urls_pools

app_name = "network"

urlpatterns: list = [
    *urls_pools.urlpatterns,  # pool_, profile_, vpn_, ping_
]
