from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from courses.navigation import nav_items
from portal.selectors.registry import NavItem


def test_study_centre_is_in_the_menu_of_signed_in_users_only(officer, course_index):
    items = nav_items(officer)

    assert [item.url for item in items] == [course_index.url]
    assert isinstance(items[0], NavItem)
    assert items[0].is_active("/courses/injury-cases/registration/")
    assert nav_items(AnonymousUser()) == []
