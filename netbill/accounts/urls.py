from django.urls import path

from netbill.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/2fa/", views.LoginSecondFactorView.as_view(), name="login_2fa"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("security/", views.SecurityView.as_view(), name="security"),
    path("security/2fa/enrol/", views.TotpEnrolView.as_view(), name="security_enrol"),
    path("security/2fa/confirm/", views.TotpConfirmView.as_view(), name="security_confirm"),
    path("security/2fa/disable/", views.TotpDisableView.as_view(), name="security_disable"),
    path(
        "security/2fa/recovery-codes/", views.RecoveryCodesView.as_view(), name="security_recovery"
    ),
    path("security/tokens/", views.ApiTokenCreateView.as_view(), name="token_create"),
    path(
        "security/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"
    ),
    path("auth-log/", views.AuthLogView.as_view(), name="auth_log"),
    path("staff/", views.StaffListView.as_view(), name="staff"),
    path("staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffEditView.as_view(), name="staff_edit"),
    path("staff/<int:pk>/keys/", views.StaffKeysView.as_view(), name="staff_keys"),
    path("staff/<int:pk>/sections/", views.StaffSectionsView.as_view(), name="staff_sections"),
    path("staff/<int:pk>/password/", views.StaffPasswordView.as_view(), name="staff_password"),
    path(
        "staff/<int:pk>/reset-2fa/", views.StaffResetTwoFactorView.as_view(), name="staff_reset_2fa"
    ),
    path("staff/<int:pk>/notes/", views.SalesNoteView.as_view(), name="staff_note"),
    path("staff/<int:pk>/get-access/", views.GetAccessView.as_view(), name="get_access"),
    path("get-access/end/", views.GetAccessEndView.as_view(), name="get_access_end"),
]
