from django.urls import path

from netbill.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("", views.CompanySettingsView.as_view(), name="settings"),
    path("platform/", views.PlatformView.as_view(), name="platform"),
    path("platform/new/", views.PlatformCreateView.as_view(), name="platform_create"),
]
