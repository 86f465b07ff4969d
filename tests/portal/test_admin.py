import pytest
from django.urls import reverse

from portal.models import AuditEntry
from portal.services import audit_log


@pytest.mark.django_db
def test_wagtail_admin_works_and_links_back_to_the_portal(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert reverse("portal:dashboard") in response.content.decode()


@pytest.mark.django_db
def test_django_admin_shows_audit_entries_read_only(client, admin_user, officer):
    entry = audit_log(actor=admin_user, action="people.officer.imported", target=officer)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:portal_auditentry_changelist"))
    detail = client.get(reverse("admin:portal_auditentry_change", args=[entry.pk]))
    add = client.get(reverse("admin:portal_auditentry_add"))
    delete = client.post(reverse("admin:portal_auditentry_delete", args=[entry.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert "people.officer.imported" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_django_admin_lists_notifications(client, admin_user, officer):
    from portal.services import notification_send

    notification_send(recipient=officer, title="请参加庭审旁听")
    client.force_login(admin_user)

    response = client.get(reverse("admin:portal_notification_changelist"))

    assert response.status_code == 200
    assert "请参加庭审旁听" in response.content.decode()
