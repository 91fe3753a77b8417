from django.urls import path

from netbill.core import views

app_name = "core"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("activity/", views.ActivityLogView.as_view(), name="activity"),
    path("outbox/", views.OutboxView.as_view(), name="outbox"),
    path("outbox/<int:pk>/retry/", views.OutboxRetryView.as_view(), name="outbox_retry"),
]
