"""Demo images, documents and the demo video, made locally (no downloads).

Images are drawn with Pillow (Chinese labels when a CJK font is installed, shapes only otherwise);
PDFs are rendered with WeasyPrint; the video is ``assets/bodycam-demo.mp4``, a 15-second H.264
slide show (38 KB) made once with Pillow frames and ffmpeg and shipped with the code, because
encoding video needs ffmpeg, which the platform does not otherwise require.

Each file is found again by its title, so a second run creates nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFont
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

ASSETS = Path(__file__).resolve().parent / "assets"
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
]

NAVY = (18, 55, 102)
BLUE = (26, 75, 140)
LIGHT = (232, 239, 249)
RED = (200, 16, 46)
GOLD = (242, 183, 5)
GREY = (95, 107, 122)
WHITE = (255, 255, 255)


def _font(size: int):
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=index)
    return None


def _text(draw: ImageDraw.ImageDraw, xy, label: str, size: int, fill) -> None:
    """Draw ``label`` if a CJK font exists; without one, Chinese would render as boxes, so skip it."""
    font = _font(size)
    if font is not None:
        draw.text(xy, label, font=font, fill=fill)


def _png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    buffer.seek(0)
    return buffer


# --- pictures ---------------------------------------------------------------------------------
def _cover(title: str, subtitle: str, colour) -> Image.Image:
    image = Image.new("RGB", (960, 540), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 500, 960, 540], fill=RED)
    draw.rectangle([64, 150, 76, 330], fill=GOLD)
    for i in range(6):  # a quiet pattern of document sheets on the right
        x, y = 640 + i * 28, 120 + i * 34
        draw.rounded_rectangle([x, y, x + 200, y + 260], radius=10, outline=(255, 255, 255, 60), width=3)
    _text(draw, (100, 150), title, 64, WHITE)
    _text(draw, (100, 250), subtitle, 30, LIGHT)
    _text(draw, (100, 420), "法制大队 · 学习课程", 26, (200, 215, 235))
    return image


def _scene_diagram() -> Image.Image:
    image = Image.new("RGB", (1000, 640), WHITE)
    draw = ImageDraw.Draw(image)
    _text(draw, (30, 20), "伤害案件现场方位示意图（教学样例）", 30, NAVY)
    draw.rectangle([80, 90, 760, 580], outline=NAVY, width=5)  # the room
    draw.rectangle([80, 300, 90, 380], fill=WHITE)  # the door gap
    _text(draw, (20, 320), "门", 24, GREY)
    for x, y in [(220, 200), (420, 200), (620, 200), (220, 420), (420, 420)]:  # tables
        draw.rectangle([x - 55, y - 35, x + 55, y + 35], outline=GREY, width=3)
    draw.rectangle([560, 400, 700, 540], outline=GREY, width=3)
    _text(draw, (590, 455), "收银台", 22, GREY)
    markers = [
        ((330, 320), "1", "血迹"),
        ((470, 300), "2", "木棍"),
        ((300, 500), "3", "被害人倒地位置"),
        ((740, 110), "4", "监控探头"),
    ]
    for (x, y), number, _label in markers:
        draw.ellipse([x - 18, y - 18, x + 18, y + 18], fill=RED)
        _text(draw, (x - 8, y - 17), number, 24, WHITE)
    for i, (_xy, number, label) in enumerate(markers):
        _text(draw, (800, 120 + i * 50), f"{number}  {label}", 24, NAVY)
    draw.line([(880, 430), (880, 520)], fill=NAVY, width=4)  # north arrow
    draw.polygon([(880, 410), (866, 440), (894, 440)], fill=NAVY)
    _text(draw, (872, 370), "北", 24, NAVY)
    draw.line([(800, 580), (900, 580)], fill=NAVY, width=3)
    _text(draw, (820, 590), "2 米", 20, NAVY)
    return image


def _boxes(title: str, steps: list[str], colour) -> Image.Image:
    width = 1000
    image = Image.new("RGB", (width, 140 + 92 * len(steps)), WHITE)
    draw = ImageDraw.Draw(image)
    _text(draw, (30, 20), title, 30, NAVY)
    for i, label in enumerate(steps):
        top = 90 + i * 92
        draw.rounded_rectangle([120, top, width - 120, top + 64], radius=12, fill=LIGHT, outline=colour, width=3)
        draw.ellipse([60, top + 12, 100, top + 52], fill=colour)
        _text(draw, (72, top + 14), str(i + 1), 24, WHITE)
        _text(draw, (150, top + 14), label, 26, NAVY)
        if i < len(steps) - 1:
            draw.polygon(
                [(width // 2 - 12, top + 68), (width // 2 + 12, top + 68), (width // 2, top + 86)], fill=colour
            )
    return image


def _platform_screen() -> Image.Image:
    image = Image.new("RGB", (1000, 620), (243, 245, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 1000, 60], fill=NAVY)
    _text(draw, (24, 14), "警情录入（教学示意）", 26, WHITE)
    fields = ["报警时间", "报警人", "身份证号码", "发案地址", "警情类别", "简要案情"]
    for i, label in enumerate(fields):
        top = 90 + i * 78
        _text(draw, (40, top + 10), label, 24, GREY)
        bottom = top + (120 if label == "简要案情" else 50)
        draw.rounded_rectangle([200, top, 940, bottom], radius=6, fill=WHITE, outline=(213, 219, 227), width=2)
    draw.rounded_rectangle([780, 560, 940, 604], radius=6, fill=BLUE)
    _text(draw, (826, 566), "提交审核", 24, WHITE)
    return image


IMAGES: dict[str, tuple[str, Callable[[], Image.Image]]] = {
    "cover_injury": (
        "课程封面：伤害案件办理清单",
        lambda: _cover("伤害案件办理清单", "受案 · 勘查 · 鉴定 · 分流 · 结案", NAVY),
    ),
    "cover_response": ("课程封面：接处警规范", lambda: _cover("接处警规范", "接警 · 派警 · 到场 · 反馈", (16, 80, 90))),
    "cover_efile": ("课程封面：电子组卷规范", lambda: _cover("电子组卷规范", "一致 · 同步 · 可读", (60, 45, 110))),
    "cover_auxiliary": (
        "课程封面：辅警信息化操作与案件过程管控",
        lambda: _cover("辅警信息化与过程管控", "规范录入 · 期限提醒", (90, 60, 20)),
    ),
    "scene_diagram": ("伤害案件现场方位示意图", _scene_diagram),
    "case_file_order": (
        "卷宗材料编排顺序示意",
        lambda: _boxes(
            "卷宗材料编排顺序示意（教学样例）",
            [
                "卷宗封面",
                "卷内目录",
                "受案、立案及强制措施文书",
                "证据材料（按证据种类）",
                "鉴定意见及告知材料",
                "结案文书与备考表",
            ],
            BLUE,
        ),
    ),
    "response_flow": (
        "接处警流程示意",
        lambda: _boxes(
            "接处警各环节与责任人（教学样例）",
            [
                "接警登记 · 接警员",
                "派警指令 · 值班长",
                "到场处置 · 处警民警",
                "受案或调解 · 办案民警",
                "警情反馈 · 接警员",
            ],
            (16, 80, 90),
        ),
    ),
    "platform_screen": ("警情录入界面示意", _platform_screen),
    "bodycam_poster": (
        "执法记录仪使用要点（视频封面）",
        lambda: _cover("执法记录仪使用要点", "教学演示视频", NAVY),
    ),
}


# --- documents --------------------------------------------------------------------------------
_PDF_STYLE = """
@page { size: A4; margin: 20mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 11pt; line-height: 1.7; }
h1 { text-align: center; font-size: 18pt; margin-bottom: 4mm; }
p.sub { text-align: center; color: #5f6b7a; margin-top: 0; }
table { width: 100%; border-collapse: collapse; margin-top: 6mm; }
td, th { border: 1px solid #333; padding: 3mm; vertical-align: top; }
th { background: #e8eff9; width: 28%; text-align: left; }
.note { margin-top: 8mm; font-size: 9.5pt; color: #5f6b7a; }
"""


def _pdf(title: str, subtitle: str, rows: list[tuple[str, str]], note: str) -> bytes:
    from weasyprint import HTML

    cells = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    html = (
        f"<html><head><meta charset='utf-8'><style>{_PDF_STYLE}</style></head><body>"
        f"<h1>{title}</h1><p class='sub'>{subtitle}</p><table>{cells}</table><p class='note'>{note}</p></body></html>"
    )
    return HTML(string=html).write_pdf()


DOCUMENTS: dict[str, tuple[str, str, Callable[[], bytes]]] = {
    "appraisal_form": (
        "伤情鉴定委托书（教学样表）",
        "appraisal-request-sample.pdf",
        lambda: _pdf(
            "鉴定聘请（委托）书",
            "教学样表 · 仅供培训使用",
            [
                ("委托单位", "××公安分局××派出所"),
                ("案由", "（按受案登记表填写，如：殴打他人 / 故意伤害）"),
                ("被鉴定人", "姓名、性别、出生日期、身份证件号码"),
                ("简要案情", "时间、地点、致伤方式、受伤部位，客观表述，不写结论"),
                ("鉴定要求", "对被鉴定人的损伤程度进行鉴定"),
                ("送检材料", "病历、影像片及报告、检查报告（原件或加盖医院印章的复印件）"),
                ("委托人 / 审批", "办案民警二人签名；办案部门负责人审批"),
            ],
            "提示：鉴定时机以《人体损伤程度鉴定标准》为准；收到鉴定意见后应当依法告知当事人。",
        ),
    ),
    "scan_table": (
        "电子卷宗扫描参数对照表（教学用）",
        "e-case-file-scan-settings.pdf",
        lambda: _pdf(
            "电子卷宗扫描参数对照表",
            "本局执行口径 · 教学用",
            [
                ("普通文书", "黑白（灰度）300dpi，PDF"),
                ("带彩色印章、指印的页", "彩色 300dpi，PDF"),
                ("照片、示意图", "彩色 300dpi 以上，不得裁剪或修饰"),
                ("文件命名", "与卷内目录名称一致，如“03 受案登记表”"),
                ("页码", "与纸质卷一致，连续编号"),
                ("核对", "上传后逐页核对，缺页、倒页、模糊的重新扫描"),
            ],
            "说明：以上为本局电子组卷的执行口径，系统另有要求的从其要求。",
        ),
    ),
}
VIDEOS: dict[str, tuple[str, str]] = {
    "bodycam_video": ("执法记录仪使用要点（教学演示视频）", "bodycam-demo.mp4"),
}


def ensure_media(*, on_created: Callable[[str], None]) -> dict[str, int]:
    """Create the missing demo files; returns ``{key: pk}`` for images, documents and videos."""
    Picture = get_image_model()
    Document = get_document_model()
    media: dict[str, int] = {}
    for key, (title, draw) in IMAGES.items():
        picture = Picture.objects.filter(title=title).first()
        if picture is None:
            picture = Picture.objects.create(title=title, file=ImageFile(_png(draw()), name=f"demo-{key}.png"))
            on_created("image")
        media[key] = picture.pk
    for key, (title, filename, render) in DOCUMENTS.items():
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document.objects.create(title=title, file=ContentFile(render(), name=filename))
            on_created("document")
        media[key] = document.pk
    for key, (title, filename) in VIDEOS.items():
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document.objects.create(
                title=title, file=ContentFile((ASSETS / filename).read_bytes(), name=filename)
            )
            on_created("document")
        media[key] = document.pk
    return media
