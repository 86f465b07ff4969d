from django.contrib import admin

from portal.models import AuditEntry, Notification


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only and written by services, never by hand."""

    list_display = ("created_at", "actor_label", "action", "target_type", "target_label", "ip_address")
    list_filter = ("target_type",)
    search_fields = ("action", "actor_label", "target_label", "target_id")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    show_full_result_count = False  # a full COUNT on a large log is slow; the pager does not need it

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__police_number", "recipient__name")
    raw_id_fields = ("recipient",)
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
