from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("audit/", views.audit_log, name="audit_log"),
    path("exports/", views.my_exports, name="my_exports"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", views.export_retry, name="export_retry"),
    path("healthz", views.healthz, name="healthz"),
]
