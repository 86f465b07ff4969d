"""Views: transfer (see exams/urls.py)."""

urlpatterns: list = []
