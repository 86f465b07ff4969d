from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from courses.navigation import nav_items
from portal.selectors.registry import NavItem


def _urls(user) -> list[str]:
    return [item.url for item in nav_items(user)]


def test_study_centre_and_my_study_are_in_the_menu_of_signed_in_users_only(officer, course_index):
    items = nav_items(officer)

    assert _urls(officer) == [course_index.url, "/courses/my/", "/courses/discussions/"]
    assert isinstance(items[0], NavItem)
    assert items[0].is_active("/courses/injury-cases/registration/")
    assert not items[0].is_active("/courses/my/")  # 我的学习 is highlighted there instead
    assert items[1].is_active("/courses/my/")
    assert nav_items(AnonymousUser()) == []


def test_trainers_get_assignment_management_and_leaders_get_the_overdue_list(
    officer, trainer, unit_leader, hr, course_index
):
    assert "/courses/manage/assignments/" in _urls(trainer)
    assert "/courses/overdue/" in _urls(trainer)
    assert "/courses/overdue/" in _urls(unit_leader)
    assert "/courses/overdue/" in _urls(hr)
    assert "/courses/manage/assignments/" not in _urls(unit_leader)
    assert "/courses/manage/assignments/" not in _urls(hr)
    assert "/courses/overdue/" not in _urls(officer)
