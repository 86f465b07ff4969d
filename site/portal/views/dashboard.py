from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.selectors import dashboard_for


@login_required
def dashboard(request):
    """我的待办: every registered section that has something pending for this user."""
    return render(request, "portal/dashboard.html", {"sections": dashboard_for(request.user)})
