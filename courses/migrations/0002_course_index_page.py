"""Creates the 课程中心 page at /courses/ (child of the portal home page), idempotently."""

from django.db import migrations
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's default, used by Wagtail pages
STEPLEN = 4


def _next_child_path(parent, Page):
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").values_list("path", flat=True).first()
    )
    if last is None:
        return parent.path + "0001"
    value = 0
    for char in last[-STEPLEN:]:
        value = value * len(ALPHABET) + ALPHABET.index(char)
    value += 1
    step = ""
    for _ in range(STEPLEN):
        value, digit = divmod(value, len(ALPHABET))
        step = ALPHABET[digit] + step
    return parent.path + step


def create_course_index(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")

    if CourseIndexPage.objects.exists():
        return
    home = Page.objects.filter(depth=2, content_type__app_label="portal", content_type__model="homepage").first()
    if home is None:
        return
    if Page.objects.filter(path__startswith=home.path, depth=home.depth + 1, slug="courses").exists():
        return  # someone already uses the address; leave it to them
    content_type, _ = ContentType.objects.get_or_create(app_label="courses", model="courseindexpage")
    now = timezone.now()
    CourseIndexPage.objects.create(
        title="课程中心",
        draft_title="课程中心",
        slug="courses",
        content_type=content_type,
        path=_next_child_path(home, Page),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}courses/",
        locale_id=home.locale_id,
        live=True,
        has_unpublished_changes=False,
        first_published_at=now,
        last_published_at=now,
        intro="<p>按岗位和执法资格等级组织的法制学习课程。可按适用对象、等级筛选，或搜索关键词。</p>",
    )
    home.numchild = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count()
    home.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("portal", "0002_home_page"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_course_index, migrations.RunPython.noop)]
