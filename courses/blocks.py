"""StreamField blocks for lessons (课时). Each block has a template in templates/courses/blocks/.

Choice and boolean sub-blocks are excluded from search (``search_index=False``): their labels are
translatable interface text, not lesson content.
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Formats every current browser plays in a <video> element without plug-ins.
VIDEO_EXTENSIONS = ("mp4", "webm", "ogv")
VIDEO_MIME_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "ogv": "video/ogg"}

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "hr", "link", "document-link"]


def video_extension(document) -> str:
    return os.path.splitext(document.file.name)[1].lstrip(".").lower() if document else ""


class LegalProvisionValue(blocks.StructValue):
    def law_title(self) -> str:
        """The law's name in 《》, whether or not the editor typed the brackets."""
        return "《{}》".format(self.get("law_name", "").strip().strip("《》"))


class LocalVideoValue(blocks.StructValue):
    def mime_type(self) -> str:
        return VIDEO_MIME_TYPES.get(video_extension(self.get("video")), "video/mp4")


class LegalProvisionBlock(blocks.StructBlock):
    """法条: one article of a law, quoted."""

    law_name = blocks.CharBlock(label=_("Law"), max_length=120, help_text=_("e.g. 中华人民共和国治安管理处罚法"))
    article = blocks.CharBlock(label=_("Article"), max_length=60, help_text=_("e.g. 第四十三条 or 第四十三条第一款"))
    text = blocks.TextBlock(label=_("Text of the provision"))
    note = blocks.TextBlock(label=_("Explanation"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Legal provision")
        template = "courses/blocks/legal_provision.html"
        value_class = LegalProvisionValue


class ChecklistItemBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("What must be done"), rows=2)
    legal_basis = blocks.CharBlock(
        label=_("Legal basis"),
        required=False,
        max_length=200,
        help_text=_("Law and article, e.g. 《刑事诉讼法》第一百一十条"),
    )
    required = blocks.BooleanBlock(
        label=_("Required"),
        required=False,
        default=True,
        search_index=False,
        help_text=_("Untick for items that depend on the case (optional)."),
    )
    evidence = blocks.TextBlock(
        label=_("Evidence that proves it"),
        required=False,
        rows=2,
        help_text=_("The record, form or material in the case file that shows this was done."),
    )

    class Meta:
        icon = "tick"
        label = _("Checklist item")


class ChecklistBlock(blocks.StructBlock):
    """清单: ordered items an officer can tick through as a self-check."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False, rows=2)
    items = blocks.ListBlock(ChecklistItemBlock(), label=_("Items"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Checklist")
        template = "courses/blocks/checklist.html"


class ProcedureStepBlock(blocks.StructBlock):
    action = blocks.CharBlock(label=_("Step"), max_length=200)
    responsible = blocks.CharBlock(label=_("Responsible"), max_length=100, required=False, help_text=_("e.g. 值班民警"))
    time_limit = blocks.CharBlock(label=_("Time limit"), max_length=100, required=False, help_text=_("e.g. 24小时内"))
    details = blocks.TextBlock(label=_("Details"), required=False, rows=2)

    class Meta:
        icon = "arrow-right"
        label = _("Step")


class ProcedureBlock(blocks.StructBlock):
    """流程: numbered steps, each with who is responsible and by when."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    steps = blocks.ListBlock(ProcedureStepBlock(), label=_("Steps"), min_num=1)

    class Meta:
        icon = "order"
        label = _("Procedure")
        template = "courses/blocks/procedure.html"


class CaseStudyBlock(blocks.StructBlock):
    """案例: facts, analysis, and what to learn from it."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    facts = blocks.TextBlock(label=_("Facts"))
    analysis = blocks.RichTextBlock(label=_("Analysis"), features=RICH_TEXT_FEATURES)
    lessons_learned = blocks.TextBlock(label=_("Lessons learned"), required=False)

    class Meta:
        icon = "folder-open-inverse"
        label = _("Case study")
        template = "courses/blocks/case_study.html"


class CalloutBlock(blocks.StructBlock):
    """要点 / 警示: a highlighted box."""

    LEVELS = [
        ("key_point", _("Key point")),
        ("warning", _("Warning")),
        ("prohibition", _("Prohibited")),
    ]

    level = blocks.ChoiceBlock(label=_("Level"), choices=LEVELS, default="key_point", search_index=False)
    title = blocks.CharBlock(label=_("Title"), max_length=120, required=False)
    text = blocks.TextBlock(label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Warning / key point")
        template = "courses/blocks/callout.html"


class LessonImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Description for screen readers"),
        max_length=200,
        required=False,
        help_text=_("Defaults to the caption."),
    )
    caption = blocks.CharBlock(label=_("Caption"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"


class LessonDocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), max_length=200, required=False)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Document")
        template = "courses/blocks/document.html"


class VideoDocumentChooserBlock(DocumentChooserBlock):
    """A document that is a video file served by the platform itself (never an external embed)."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None and video_extension(value) not in VIDEO_EXTENSIONS:
            raise ValidationError(
                _("Choose a video file (%(extensions)s). This document is not a video."),
                params={"extensions": ", ".join(VIDEO_EXTENSIONS)},
            )
        return value


class LocalVideoBlock(blocks.StructBlock):
    video = VideoDocumentChooserBlock(
        label=_("Video file"),
        help_text=_("Upload the video as a document (MP4 or WebM); it is served by the platform."),
    )
    poster = ImageChooserBlock(label=_("Poster image"), required=False)
    caption = blocks.CharBlock(label=_("Caption"), max_length=200, required=False)
    transcript = blocks.TextBlock(label=_("Transcript"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"
        value_class = LocalVideoValue


class LessonBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        label=_("Text"), features=RICH_TEXT_FEATURES, template="courses/blocks/rich_text.html"
    )
    legal_provision = LegalProvisionBlock()
    checklist = ChecklistBlock()
    procedure = ProcedureBlock()
    case_study = CaseStudyBlock()
    callout = CalloutBlock()
    image = LessonImageBlock()
    document = LessonDocumentBlock()
    video = LocalVideoBlock()
