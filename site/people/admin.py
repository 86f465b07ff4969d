"""Django admin (/django-admin/) for officers, units and the status history.

Status changes made here go through officer_status_change, so the history keeps them; a category
change re-syncs the category role group.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from people.models import OfficerStatusChange, Unit, User
from people.services import officer_roles_sync, officer_status_change


class OfficerCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("police_number", "name", "unit", "category")


class OfficerChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class OfficerAdmin(DjangoUserAdmin):
    form = OfficerChangeForm
    add_form = OfficerCreationForm
    fieldsets = (
        (None, {"fields": ("police_number", "password")}),
        (
            _("Officer"),
            {
                "fields": (
                    "name",
                    "unit",
                    "category",
                    "position",
                    "status",
                    ("is_middle_leader", "is_legal_officer", "is_legal_brigade", "is_new_officer"),
                    "birth_date",
                    "service_start_date",
                    "phone",
                    "preferred_language",
                )
            },
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("police_number", "name", "unit", "category", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("police_number", "name", "unit", "category", "position", "status", "is_active")
    list_filter = (
        "category",
        "status",
        "is_middle_leader",
        "is_legal_officer",
        "is_legal_brigade",
        "is_new_officer",
        "is_active",
        "groups",
    )
    search_fields = ("police_number", "name", "phone")
    ordering = ("police_number",)
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            # Save everything else first, then move the status through the service (history row + audit).
            new_status = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            officer_status_change(
                officer=obj, to_status=new_status, reason=gettext("Changed in the admin"), actor=request.user
            )
        else:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the groups from the form are saved, so the category group is not overwritten by them.
        super().save_related(request, form, formsets, change)
        officer_roles_sync(officer=form.instance)


# TreeAdmin's drag-and-drop change list needs treebeard's templates and template tags, that is
# "treebeard" in INSTALLED_APPS. Without it the plain change list still works, and the move-node
# form (position + relative-to unit) still places new and moved units in the tree.
_UnitAdminBase = TreeAdmin if apps.is_installed("treebeard") else admin.ModelAdmin


@admin.register(Unit)
class UnitAdmin(_UnitAdminBase):
    form = movenodeform_factory(Unit)
    ordering = ("path",)
    list_display = ("name", "kind", "code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


@admin.register(OfficerStatusChange)
class OfficerStatusChangeAdmin(admin.ModelAdmin):
    """Append-only: the history is written by officer_status_change and never edited."""

    list_display = ("officer", "from_status", "to_status", "reason", "changed_by", "changed_at")
    list_filter = ("to_status", "from_status")
    search_fields = ("officer__police_number", "officer__name", "reason")
    list_select_related = ("officer", "changed_by")
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
