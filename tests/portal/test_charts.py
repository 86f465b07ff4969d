"""Server-rendered SVG charts: valid XML, accessible, bars proportional to the values, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from portal.charts import bar_chart_svg, histogram_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.findall(".//svg:rect", NS) if "bar" in rect.get("class", "").split()]


def test_histogram_bar_heights_are_proportional_to_counts():
    root = parse(
        histogram_svg(
            [("0–10", 2), ("10–20", 4), ("20–30", 0), ("30–40", 1)], title="分数分布", x_label="分数", y_label="人数"
        )
    )
    heights = [float(rect.get("height")) for rect in bars(root)]
    assert len(heights) == 4
    assert heights[2] == 0
    assert heights[0] == pytest.approx(heights[1] / 2)
    assert heights[3] == pytest.approx(heights[1] / 4)
    # Bars stand on one baseline.
    bottoms = {round(float(rect.get("y")) + float(rect.get("height")), 2) for rect in bars(root)}
    assert len(bottoms) == 1


def test_histogram_is_accessible_and_scales():
    root = parse(histogram_svg([("0–50", 1), ("50–100", 3)], title="执法考试 成绩分布", x_label="分数", y_label="人数"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "执法考试 成绩分布"
    assert root.find("svg:title", NS).text == "执法考试 成绩分布"
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("width") == "100%"
    assert "Noto Sans CJK SC" in root.get("font-family")
    # Each bar carries its own tooltip with label and count.
    assert [rect.find("svg:title", NS).text for rect in bars(root)] == ["0–50: 1", "50–100: 3"]


def test_histogram_highlights_the_chosen_bins():
    root = parse(histogram_svg([("a", 1), ("b", 1), ("c", 1)], title="t", x_label="x", y_label="y", highlight=[0, 2]))
    highlighted = ["is-highlighted" in rect.get("class") for rect in bars(root)]
    assert highlighted == [True, False, True]
    assert bars(root)[0].get("fill") != bars(root)[1].get("fill")


def test_histogram_with_no_data_draws_empty_bars():
    root = parse(histogram_svg([("0–10", 0), ("10–20", 0)], title="t", x_label="x", y_label="y"))
    assert [float(rect.get("height")) for rect in bars(root)] == [0, 0]


def test_text_is_escaped():
    hostile = '<script>alert("x")</script> & 派出所'
    markup = str(histogram_svg([(hostile, 1)], title=hostile, x_label=hostile, y_label=hostile))
    assert "<script>" not in markup
    root = parse(markup)  # still well-formed XML
    assert root.get("aria-label") == hostile
    markup = str(bar_chart_svg([(hostile, 50)], title=hostile))
    assert "<script>" not in markup
    assert parse(markup).get("aria-label") == hostile


def test_bar_chart_lengths_are_proportional_to_percentages():
    root = parse(bar_chart_svg([("北山派出所", 100), ("治安大队", 50), ("法制大队", 25)], title="按单位及格率"))
    widths = [float(rect.get("width")) for rect in bars(root)]
    assert widths[1] == pytest.approx(widths[0] / 2)
    assert widths[2] == pytest.approx(widths[0] / 4)
    values = [text.text for text in root.findall(".//svg:text[@class='bar-value']", NS)]
    assert values == ["100%", "50%", "25%"]
    assert [rect.get("data-label") for rect in bars(root)] == ["北山派出所", "治安大队", "法制大队"]


def test_bar_chart_scales_to_the_largest_value_without_a_percent_unit():
    root = parse(bar_chart_svg([("a", 30), ("b", 60)], unit="分"))
    widths = [float(rect.get("width")) for rect in bars(root)]
    assert widths[0] == pytest.approx(widths[1] / 2)
    root = parse(bar_chart_svg([("a", 30), ("b", 60)], unit="分", max_value=120))
    assert [float(rect.get("width")) for rect in bars(root)][1] == pytest.approx(widths[1] / 2)


def test_bar_chart_long_labels_are_shortened_but_kept_in_the_tooltip():
    label = "西湖分局北山派出所社区警务第一中队"
    root = parse(bar_chart_svg([(label, 40), ("无数据", None)]))
    shown = root.find(".//svg:text[@class='bar-label']", NS).text
    assert len(shown) < len(label) and shown.endswith("…")
    assert bars(root)[0].find("svg:title", NS).text == f"{label}: 40%"
    assert len(bars(root)) == 1  # a row without a value has no bar
