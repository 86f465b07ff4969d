"""Views: papers (see exams/urls.py)."""

urlpatterns: list = []
