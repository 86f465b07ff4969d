import pytest
from django.urls import reverse

from portal.selectors import DashboardItem, DashboardSection, NavItem, nav_items_for
from portal.selectors.registry import load_provider
from portal.services import notification_send


def pending_exam_section(user):
    return DashboardSection(
        key="exams.pending",
        title="待参加的考试",
        order=10,
        items=[DashboardItem(title="2026年第一季度执法能力随机测试", url="/exams/1/", status="未开始", urgent=True)],
    )


def nothing_pending(user):
    return None


def dict_nav(user):
    return [{"label": "课程学习", "url": "/courses/", "order": 40}]


@pytest.mark.django_db
def test_dashboard_requires_login(client):
    response = client.get(reverse("portal:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.django_db
def test_dashboard_shows_empty_state_when_nothing_is_pending(client, officer, settings):
    settings.PORTAL_DASHBOARD_SECTIONS = ["portal.selectors.navigation.dashboard_section"]
    client.force_login(officer)

    response = client.get(reverse("portal:dashboard"))

    assert response.status_code == 200
    assert response.context["sections"] == []
    assert "empty-state" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_lists_unread_notifications(client, officer):
    notification_send(recipient=officer, title="请参加法制员季度考评")
    client.force_login(officer)

    response = client.get(reverse("portal:dashboard"))

    assert "请参加法制员季度考评" in response.content.decode()
    assert "empty-state" not in response.content.decode()


@pytest.mark.django_db
def test_sections_from_other_apps_are_rendered_in_order(client, officer, settings):
    settings.PORTAL_DASHBOARD_SECTIONS = [
        "portal.selectors.navigation.dashboard_section",
        f"{__name__}.nothing_pending",
        f"{__name__}.pending_exam_section",
    ]
    notification_send(recipient=officer, title="新通知")
    client.force_login(officer)

    response = client.get(reverse("portal:dashboard"))

    assert [section.key for section in response.context["sections"]] == ["exams.pending", "portal.notifications"]
    html = response.content.decode()
    assert "2026年第一季度执法能力随机测试" in html
    assert 'href="/exams/1/"' in html


def test_a_wrong_provider_path_in_settings_fails_loudly():
    load_provider.cache_clear()
    with pytest.raises(ImportError):
        load_provider("nonexistent_app.navigation.dashboard_section")


@pytest.mark.django_db
def test_nav_providers_accept_dicts_and_are_ordered(officer, settings):
    settings.PORTAL_NAV_PROVIDERS = ["portal.selectors.navigation.nav_items", f"{__name__}.dict_nav"]

    items = nav_items_for(officer)

    assert [item.url for item in items] == ["/", "/dashboard/", "/notifications/", "/courses/"]
    assert all(isinstance(item, NavItem) for item in items)


@pytest.mark.django_db
def test_officer_menu_has_no_audit_log_or_content_management(officer, settings):
    settings.PORTAL_NAV_PROVIDERS = ["portal.selectors.navigation.nav_items"]

    urls = [item.url for item in nav_items_for(officer)]

    assert reverse("portal:audit_log") not in urls
    assert "/admin/" not in urls


@pytest.mark.django_db
def test_hr_sees_audit_log_and_trainer_sees_content_management(hr, trainer, admin_user, settings):
    settings.PORTAL_NAV_PROVIDERS = ["portal.selectors.navigation.nav_items"]

    assert reverse("portal:audit_log") in [item.url for item in nav_items_for(hr)]
    assert "/admin/" not in [item.url for item in nav_items_for(hr)]
    assert "/admin/" in [item.url for item in nav_items_for(trainer)]
    admin_urls = [item.url for item in nav_items_for(admin_user)]
    assert reverse("portal:audit_log") in admin_urls and "/admin/" in admin_urls


@pytest.mark.django_db
def test_menu_marks_the_current_page(client, officer):
    client.force_login(officer)

    response = client.get(reverse("portal:notifications"))

    assert '<a href="/notifications/" aria-current="page">' in response.content.decode()
