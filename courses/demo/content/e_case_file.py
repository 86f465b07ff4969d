"""电子组卷规范: electronic case files — principles, scanning and cataloguing, common faults.

Original teaching text. The scanning parameters are presented as this branch's working standard,
not as national rules.
"""

from __future__ import annotations

from courses.demo.blocks import callout, case_study, checklist, document, image, procedure, provision, text

CRIMINAL_PROCEDURE_LAW = "中华人民共和国刑事诉讼法"


def course(media: dict[str, int]) -> dict:
    return {
        "slug": "e-case-file",
        "title": "电子组卷规范",
        "summary": (
            "电子组卷是案件网上流转、网上审核和随案移送的基础。本课程讲电子卷宗的基本要求、扫描编目的操作"
            "规范，以及法制审核中最常见的退回原因。"
        ),
        "audiences": ["all", "legal_officer", "auxiliary"],
        "tier": "basic",
        "estimated_minutes": 45,
        "cover": "cover_efile",
        "lessons": [
            {
                "slug": "principles",
                "title": "电子卷宗的基本要求",
                "summary": "电子卷与纸质卷内容一致、同步形成、完整可读。",
                "min_read_seconds": 180,
                "knowledge_points": ["执法监督/电子组卷"],
                "body": [
                    text(
                        "<p>电子组卷，是指在办案过程中把案件的法律文书、证据材料按规定顺序扫描或导入执法办案系统，"
                        "形成与纸质卷宗内容一致的电子卷宗。它有三项基本要求：</p>"
                        "<ol><li><b>一致</b>：电子卷与纸质卷的材料、顺序、页码一致，不得“两本账”；</li>"
                        "<li><b>同步</b>：随办案进度形成，文书审批一份、上传一份，不在结案时集中补扫；</li>"
                        "<li><b>可读</b>：文字、签名、指印、印章清晰可辨，照片色彩真实。</li></ol>"
                    ),
                    provision(
                        CRIMINAL_PROCEDURE_LAW,
                        "第五十条第二款",
                        "证据包括：（一）物证；（二）书证；（三）证人证言；（四）被害人陈述；（五）犯罪嫌疑人、被告人"
                        "供述和辩解；（六）鉴定意见；（七）勘验、检查、辨认、侦查实验等笔录；（八）视听资料、电子数据。",
                        "组卷时按证据种类归类编排，便于审核人员逐类审查证据是否齐全。",
                    ),
                    callout(
                        "key_point",
                        "电子卷宗与电子数据的区分",
                        "扫描形成的电子卷宗是纸质材料的影像，本身不是“电子数据”证据；手机聊天记录、监控视频等电子数据，"
                        "应当按电子数据取证的要求提取、固定，并在卷内附提取笔录和光盘。",
                    ),
                    document(media["scan_table"], "本局电子卷宗扫描参数对照表（教学用）"),
                ],
            },
            {
                "slug": "scanning",
                "title": "扫描与编目操作",
                "summary": "按目录顺序扫描，页码连续，签名印章清晰，上传后逐页核对。",
                "min_read_seconds": 240,
                "knowledge_points": ["执法监督/电子组卷", "信息化应用/执法办案系统"],
                "body": [
                    image(media["case_file_order"], "图：卷宗材料编排顺序示意（教学样例）", "卷宗材料编排顺序示意图"),
                    procedure(
                        "电子组卷操作步骤",
                        [
                            (
                                "整理纸质材料，按卷内目录顺序排列并编页码",
                                "办案民警（可由辅警协助整理）",
                                "文书审批后当日",
                                "页码写在右上角，正反面都有内容的分别编页。",
                            ),
                            (
                                "按材料类型选择扫描参数",
                                "扫描人员",
                                "扫描时",
                                "普通文书黑白300dpi；照片、彩色印章页彩色扫描。",
                            ),
                            ("扫描并命名文件，文件名与目录名称一致", "扫描人员", "扫描时", ""),
                            (
                                "上传执法办案系统，挂接到对应文书节点",
                                "办案民警",
                                "扫描当日",
                                "不得挂接到其他案件或错误节点。",
                            ),
                            ("逐页核对电子卷与纸质卷", "办案民警", "上传后", "发现缺页、倒页、模糊的立即重扫。"),
                            ("提交法制审核", "办案民警", "按案件审核节点", ""),
                        ],
                    ),
                    checklist(
                        "上传前核对清单",
                        [
                            ("目录、页码、文件名三者一致", "", True, "电子卷宗目录"),
                            ("签名、指印、印章清晰可辨", "", True, "扫描件逐页核对"),
                            ("照片为彩色扫描，未经裁剪或修饰", "", True, "照片页扫描件"),
                            ("空白页、重复页已剔除", "", True, "电子卷宗页数与纸质卷一致"),
                            ("涉密或涉及个人隐私的材料按规定标注", "", False, "标注记录"),
                        ],
                    ),
                ],
            },
            {
                "slug": "common-faults",
                "title": "法制审核常见退回原因",
                "summary": "缺页漏页、文书未签名、电子卷与纸质卷不一致，是最常见的三类问题。",
                "min_read_seconds": 180,
                "knowledge_points": ["执法监督/电子组卷", "执法监督/案件过程管控"],
                "body": [
                    case_study(
                        "一起盗窃案因电子卷宗问题被退回三次",
                        "某盗窃案提交法制审核时，电子卷中缺少扣押清单第2页；补传后，审核发现询问笔录末页无被询问人"
                        "签名；第三次提交时，电子卷中的照片为黑白扫描，无法辨认被盗物品特征。",
                        "<p>三次退回的问题都出在组卷环节，而不是案件事实本身。根源在于<b>集中补扫</b>：办案民警在"
                        "结案前一次性扫描全部材料，未逐页核对，也未在文书形成时检查签名。</p>",
                        "文书形成即检查、即扫描、即核对。扫描件是给审核人和检察官看的，看不清就等于没有。",
                    ),
                    callout(
                        "warning",
                        "不得事后补签",
                        "发现笔录漏签的，应当由被询问人补签并注明补签日期，或者另行制作说明材料；不得由他人代签，"
                        "不得倒签日期。",
                    ),
                ],
            },
        ],
    }
