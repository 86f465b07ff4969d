import pytest
from django.urls import reverse

from portal.models import Notification
from portal.services import notification_send


@pytest.fixture
def officer_notifications(officer):
    return [
        notification_send(recipient=officer, title="请完成《伤害案件办理清单》学习", url="/dashboard/"),
        notification_send(recipient=officer, title="执法能力随机测试将于周五举行"),
        notification_send(recipient=officer, title="恶意链接", url="https://example.org/phish"),
    ]


@pytest.mark.django_db
def test_header_badge_shows_the_unread_count(client, officer, officer_notifications):
    Notification.objects.filter(pk=officer_notifications[0].pk).update(read_at="2026-01-01T00:00:00Z")
    client.force_login(officer)

    response = client.get(reverse("portal:dashboard"))

    assert response.context["unread_notification_count"] == 2
    assert '<span class="badge" data-testid="unread-badge" aria-hidden="true">2</span>' in response.content.decode()


@pytest.mark.django_db
def test_no_badge_when_everything_is_read(client, officer):
    client.force_login(officer)

    response = client.get(reverse("portal:dashboard"))

    assert response.context["unread_notification_count"] == 0
    assert 'data-testid="unread-badge"' not in response.content.decode()


@pytest.mark.django_db
def test_unread_count_costs_one_query(client, officer, officer_notifications, django_assert_max_num_queries):
    from django.test import RequestFactory

    from portal.context_processors import portal

    request = RequestFactory().get("/")
    request.user = officer
    with django_assert_max_num_queries(1):
        context = portal(request)
    assert context["unread_notification_count"] == 3


@pytest.mark.django_db
def test_notification_list_shows_unread_first_and_highlighted(client, officer, officer_notifications):
    newest_read = notification_send(recipient=officer, title="已读的最新通知")
    Notification.objects.filter(pk=newest_read.pk).update(read_at="2026-01-01T00:00:00Z")
    client.force_login(officer)

    response = client.get(reverse("portal:notifications"))

    titles = [n.title for n in response.context["notifications"]]
    assert titles[-1] == "已读的最新通知"
    assert set(titles[:3]) == {n.title for n in officer_notifications}
    assert response.content.decode().count('class="is-unread"') == 3


@pytest.mark.django_db
def test_notification_list_is_paginated(client, officer):
    for number in range(25):
        notification_send(recipient=officer, title=f"通知{number}")
    client.force_login(officer)

    first = client.get(reverse("portal:notifications"))
    second = client.get(reverse("portal:notifications"), {"page": 2})

    assert len(first.context["notifications"]) == 20
    assert len(second.context["notifications"]) == 5


@pytest.mark.django_db
def test_marking_read_follows_a_local_link(client, officer, officer_notifications):
    client.force_login(officer)
    notification = officer_notifications[0]

    response = client.post(reverse("portal:notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == "/dashboard/"
    notification.refresh_from_db()
    assert notification.is_read


@pytest.mark.django_db
def test_marking_read_never_redirects_off_site(client, officer, officer_notifications):
    client.force_login(officer)
    notification = officer_notifications[2]

    response = client.post(reverse("portal:notification_read", args=[notification.pk]))

    assert response.url == reverse("portal:notifications")


@pytest.mark.django_db
def test_protocol_relative_link_is_not_followed(client, officer):
    notification = notification_send(recipient=officer, title="x", url="//evil.example/")
    client.force_login(officer)

    response = client.post(reverse("portal:notification_read", args=[notification.pk]))

    assert response.url == reverse("portal:notifications")


@pytest.mark.django_db
def test_marking_read_requires_post(client, officer, officer_notifications):
    client.force_login(officer)
    notification = officer_notifications[0]

    response = client.get(reverse("portal:notification_read", args=[notification.pk]))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert not notification.is_read


@pytest.mark.django_db
def test_another_users_notification_is_404_and_stays_unread(client, outsider, officer_notifications):
    client.force_login(outsider)
    notification = officer_notifications[0]

    response = client.post(reverse("portal:notification_read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


@pytest.mark.django_db
def test_mark_all_read_clears_only_own_notifications(client, officer, outsider, officer_notifications):
    theirs = notification_send(recipient=outsider, title="别人的通知")
    client.force_login(officer)

    response = client.post(reverse("portal:notifications_read_all"), follow=True)

    assert response.context["unread_notification_count"] == 0
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


@pytest.mark.django_db
def test_notifications_require_login(client):
    response = client.get(reverse("portal:notifications"))

    assert response.status_code == 302
    assert response.url.startswith("/login/")
