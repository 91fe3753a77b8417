from django.urls import path

from netbill.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.BillListView.as_view(), name="bills"),
    path("<int:pk>/", views.BillDetailView.as_view(), name="bill_detail"),
    path("generate/<int:pk>/", views.GenerateBillView.as_view(), name="generate"),
    path("runs/", views.RunListView.as_view(), name="runs"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
]
