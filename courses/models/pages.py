"""Study material as Wagtail pages: 课程中心 (index) › 课程 (course) › 课时 (lesson).

Every page here is for signed-in officers only (``MembersOnlyPageMixin``); drafts, moderation,
scheduled publishing and revision history are Wagtail's own.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from courses.blocks import LessonBodyBlock
from courses.models.choices import Audience, Tier
from courses.models.fields import ChoiceSetField
from courses.models.knowledge import KnowledgePoint

DEFAULT_MIN_READ_SECONDS = 180
# Sub-paths the course index answers itself (its routes below); a course with such a slug would
# be unreachable.
RESERVED_COURSE_SLUGS = frozenset({"search", "my", "manage", "overdue", "discussions"})


class MembersOnlyPageMixin:
    """Study material is for signed-in users: anonymous visitors are sent to the login page.

    Done in ``serve`` rather than with a Wagtail view restriction so that it cannot be forgotten
    on a new course or removed by an editor.
    """

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return super().serve(request, *args, **kwargs)


class CourseIndexPage(MembersOnlyPageMixin, RoutablePageMixin, Page):
    """课程中心: lists courses with filters; ``search/`` is the Chinese full-text search."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course index")

    @path("")
    def index_route(self, request, *args, **kwargs):
        from courses.forms import CourseFilterForm
        from courses.selectors import courses_for_listing

        form = CourseFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        courses = courses_for_listing(
            index=self, audience=filters.get("audience") or None, tier=filters.get("tier") or None
        )
        return self.render(request, context_overrides={"filter_form": form, "courses": courses})

    @path("search/", name="search")
    def search_route(self, request, *args, **kwargs):
        from courses.views import search_view

        return search_view(request, index=self)

    # Study pages of the portal live under the course index, so they need no URLconf of their
    # own; the views are plain Django views (courses.views) and ``courses.links`` builds their
    # addresses. Each view checks access itself.
    @path("my/", name="my_study")
    def my_study_route(self, request):
        from courses.views import study

        return study.my_study(request)

    @path("manage/assignments/", name="assignment_list")
    def assignment_list_route(self, request):
        from courses.views import assignments

        return assignments.assignment_list(request)

    @path("manage/assignments/new/", name="assignment_create")
    def assignment_create_route(self, request):
        from courses.views import assignments

        return assignments.assignment_create(request)

    @path("manage/assignments/<int:pk>/", name="assignment_detail")
    def assignment_detail_route(self, request, pk: int):
        from courses.views import assignments

        return assignments.assignment_detail(request, pk=pk)

    @path("manage/assignments/<int:pk>/close/", name="assignment_close")
    def assignment_close_route(self, request, pk: int):
        from courses.views import assignments

        return assignments.assignment_close(request, pk=pk)

    @path("overdue/", name="overdue")
    def overdue_route(self, request):
        from courses.views import assignments

        return assignments.overdue_list(request)

    @path("discussions/", name="discussion_list")
    def discussion_list_route(self, request):
        from courses.views import discussions

        return discussions.discussion_list(request)

    @path("discussions/new/", name="discussion_create")
    def discussion_create_route(self, request):
        from courses.views import discussions

        return discussions.discussion_create(request)

    @path("discussions/<int:pk>/", name="discussion_detail")
    def discussion_detail_route(self, request, pk: int):
        from courses.views import discussions

        return discussions.discussion_detail(request, pk=pk)

    @path("discussions/<int:pk>/sign-in/", name="discussion_sign_in")
    def discussion_sign_in_route(self, request, pk: int):
        from courses.views import discussions

        return discussions.discussion_sign_in(request, pk=pk)

    @path("discussions/<int:pk>/attendance/", name="discussion_attendance")
    def discussion_attendance_route(self, request, pk: int):
        from courses.views import discussions

        return discussions.discussion_attendance(request, pk=pk)

    @path("discussions/<int:pk>/minutes/", name="discussion_minutes")
    def discussion_minutes_route(self, request, pk: int):
        from courses.views import discussions

        return discussions.discussion_minutes(request, pk=pk)

    @path("discussions/<int:pk>/minutes/file/", name="discussion_minutes_file")
    def discussion_minutes_file_route(self, request, pk: int):
        from courses.views import discussions

        return discussions.discussion_minutes_file(request, pk=pk)

    @path("discussions/<int:pk>/cancel/", name="discussion_cancel")
    def discussion_cancel_route(self, request, pk: int):
        from courses.views import discussions

        return discussions.discussion_cancel(request, pk=pk)

    @property
    def search_url(self) -> str:
        return self.url + self.reverse_subpage("search").lstrip("/")


class CoursePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("slug") in RESERVED_COURSE_SLUGS:
            self.add_error("slug", _("This address is reserved by the course index; choose another slug."))
        return cleaned


class CoursePage(MembersOnlyPageMixin, Page):
    """课程: a set of lessons (its child pages, in the order shown in the admin)."""

    summary = models.TextField(_("summary"), max_length=1000, help_text=_("Two or three sentences shown in lists."))
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audiences = ChoiceSetField(
        _("audience"),
        choice_class=Audience,
        blank=False,
        help_text=_("Who this course is written for. “All officers” includes everyone."),
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.BASIC)
    estimated_minutes = models.PositiveIntegerField(
        _("estimated minutes"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(6000)],
        help_text=_("Total study time of all lessons, in minutes."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [FieldPanel("audiences"), FieldPanel("tier"), FieldPanel("estimated_minutes")],
            heading=_("Audience and level"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    base_form_class = CoursePageForm
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")

    def clean(self):
        super().clean()
        if self.slug in RESERVED_COURSE_SLUGS:
            raise ValidationError({"slug": _("This address is reserved by the course index; choose another slug.")})

    def get_audience_display(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels.get(code, code)) for code in self.audiences]

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import course_page_study_context, lessons_of_course

        context = super().get_context(request, *args, **kwargs)
        lessons = list(lessons_of_course(course=self))
        context["lessons"] = lessons
        if request.user.is_authenticated:
            context.update(course_page_study_context(user=request.user, course=self, lessons=lessons))
        return context


class LessonPageForm(WagtailAdminPageForm):
    """Shows the knowledge-point tree as indented checkboxes, in tree order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("knowledge_points")
        if field is not None:
            field.queryset = KnowledgePoint.objects.order_by("path")
            field.label_from_instance = lambda point: point.indented_name


class LessonPage(MembersOnlyPageMixin, RoutablePageMixin, Page):
    """课时: one lesson of a course. ``min_read_seconds`` is how long it must be open before it
    can be marked learned: opening the lesson records the time (``courses.services.lesson_open``),
    ``learned/`` marks it learned, ``reread/`` lets a trainer ask everyone to read it again.
    """

    summary = models.TextField(_("summary"), blank=True, max_length=1000)
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"))
    min_read_seconds = models.PositiveIntegerField(
        _("minimum reading time (seconds)"),
        default=DEFAULT_MIN_READ_SECONDS,
        validators=[MaxValueValidator(4 * 3600)],
        help_text=_("An officer can mark the lesson as learned only after it has been open this long."),
    )
    knowledge_points = ParentalManyToManyField(
        KnowledgePoint, verbose_name=_("knowledge points"), blank=True, related_name="lessons"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("knowledge_points", widget=forms.CheckboxSelectMultiple),
                FieldPanel("min_read_seconds"),
            ],
            heading=_("Knowledge points and reading time"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    base_form_class = LessonPageForm
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")

    @property
    def min_read_minutes(self) -> int:
        return max(1, round(self.min_read_seconds / 60))

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import lesson_navigation

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_navigation(lesson=self))
        return context

    @path("")
    def lesson_route(self, request, *args, **kwargs):
        from courses.views import study

        return study.lesson_view(request, lesson=self)

    @path("learned/", name="mark_learned")
    def mark_learned_route(self, request):
        from courses.views import study

        return study.mark_learned(request, lesson=self)

    @path("reread/", name="require_reread")
    def require_reread_route(self, request):
        from courses.views import study

        return study.require_reread(request, lesson=self)
