from django.urls import path

from netbill.radius import views

app_name = "radius"

urlpatterns = [
    path("online/", views.OnlineView.as_view(), name="online"),
    path("offline/", views.OfflineView.as_view(), name="offline"),
    path("customer/<int:pk>/", views.CustomerSessionsView.as_view(), name="customer"),
]
