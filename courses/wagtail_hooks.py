from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet

from courses.forms import KnowledgePointForm
from courses.models import KnowledgePoint


class KnowledgePointViewSet(ModelViewSet):
    """知识点 in the Wagtail admin: an indented list in tree order; a point is placed by its parent."""

    model = KnowledgePoint
    icon = "list-ul"
    menu_label = _("Knowledge points")
    menu_order = 250
    add_to_admin_menu = True
    ordering = ["path"]
    list_per_page = 100
    search_fields = ["name", "code", "description"]
    search_backend_name = None  # ORM icontains: finds Chinese words inside names
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["indented_name", "code"]
    edit_handler = ObjectList(
        [FieldPanel("parent"), FieldPanel("name"), FieldPanel("code"), FieldPanel("description")],
        base_form_class=KnowledgePointForm,
    )


@hooks.register("register_admin_viewset")
def register_knowledge_point_viewset():
    return KnowledgePointViewSet("courses_knowledge_points", url_prefix="knowledge-points")
