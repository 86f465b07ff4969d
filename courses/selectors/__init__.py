from .catalogue import course_index_page, courses_for_listing, lesson_navigation, lessons_of_course
from .knowledge import (
    knowledge_point_full_names,
    knowledge_point_subtree,
    knowledge_points_in_tree_order,
    lessons_for_knowledge_point,
)
from .search import course_search, search_documents_visible_to

__all__ = [
    "course_index_page",
    "course_search",
    "courses_for_listing",
    "knowledge_point_full_names",
    "knowledge_point_subtree",
    "knowledge_points_in_tree_order",
    "lesson_navigation",
    "lessons_for_knowledge_point",
    "lessons_of_course",
    "search_documents_visible_to",
]
