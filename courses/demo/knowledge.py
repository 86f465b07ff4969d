"""The demo knowledge-point tree (知识点), shared later by the question bank."""

from __future__ import annotations

from collections.abc import Callable

from courses.models import KnowledgePoint

# Parents before children; "/" separates levels. Lessons refer to points by these paths.
TREE = [
    "接处警",
    "接处警/接警登记",
    "接处警/出警处置",
    "接处警/出警处置/现场控制",
    "接处警/出警处置/执法记录",
    "接处警/警情反馈",
    "案件办理",
    "案件办理/受案立案",
    "案件办理/调查取证",
    "案件办理/调查取证/现场勘查",
    "案件办理/调查取证/证据固定",
    "案件办理/调查取证/询问讯问",
    "案件办理/鉴定",
    "案件办理/鉴定/伤情鉴定",
    "案件办理/调解与和解",
    "案件办理/结案归档",
    "执法监督",
    "执法监督/电子组卷",
    "执法监督/案件过程管控",
    "信息化应用",
    "信息化应用/警综平台",
    "信息化应用/执法办案系统",
]


def ensure_knowledge_points(*, on_created: Callable[[str], None]) -> dict[str, KnowledgePoint]:
    points: dict[str, KnowledgePoint] = {}
    for path in TREE:
        parent_path, _sep, name = path.rpartition("/")
        if not parent_path:
            point = KnowledgePoint.get_root_nodes().filter(name=name).first()
            if point is None:
                point = KnowledgePoint.add_root(name=name)
                on_created("knowledge point")
        else:
            parent = KnowledgePoint.objects.get(pk=points[parent_path].pk)  # fresh numchild
            point = parent.get_children().filter(name=name).first()
            if point is None:
                point = parent.add_child(name=name)
                on_created("knowledge point")
        points[path] = point
    return points
