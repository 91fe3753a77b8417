"""URLs of IP pools, PPPoE profiles, VPN accounts and the ping test (mounted by urls.py)."""

from django.urls import path

from netbill.network import ping_views, pool_views, vpn_views

urlpatterns = [
    path("pools/", pool_views.PoolListView.as_view(), name="pool_list"),
    path("pools/new/", pool_views.PoolFormView.as_view(), name="pool_create"),
    path("pools/<int:pk>/edit/", pool_views.PoolFormView.as_view(), name="pool_edit"),
    path("pools/<int:pk>/delete/", pool_views.PoolDeleteView.as_view(), name="pool_delete"),
    path("pppoe-profiles/", pool_views.ProfileListView.as_view(), name="profile_list"),
    path("pppoe-profiles/new/", pool_views.ProfileFormView.as_view(), name="profile_create"),
    path("pppoe-profiles/upload/", pool_views.ProfileUploadView.as_view(), name="profile_upload"),
    path(
        "pppoe-profiles/upload/template.csv",
        pool_views.ProfileUploadTemplateView.as_view(),
        name="profile_upload_template",
    ),
    path(
        "pppoe-profiles/<int:pk>/edit/",
        pool_views.ProfileFormView.as_view(),
        name="profile_edit",
    ),
    path(
        "pppoe-profiles/<int:pk>/delete/",
        pool_views.ProfileDeleteView.as_view(),
        name="profile_delete",
    ),
    path("vpn/", vpn_views.VpnListView.as_view(), name="vpn_list"),
    path("vpn/new/", vpn_views.VpnCreateView.as_view(), name="vpn_create"),
    path("vpn/<int:pk>/", vpn_views.VpnDetailView.as_view(), name="vpn_detail"),
    path("vpn/<int:pk>/toggle/", vpn_views.VpnToggleView.as_view(), name="vpn_toggle"),
    path("vpn/<int:pk>/delete/", vpn_views.VpnDeleteView.as_view(), name="vpn_delete"),
    path("ping/", ping_views.PingView.as_view(), name="ping"),
    path("ping/customer/<int:pk>/", ping_views.PingCustomerView.as_view(), name="ping_customer"),
    path("ping/<int:pk>/", ping_views.PingResultView.as_view(), name="ping_result"),
]
