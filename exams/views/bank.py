"""Views: bank (see exams/urls.py)."""

urlpatterns: list = []
