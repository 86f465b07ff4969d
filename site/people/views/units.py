from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from people.selectors import unit_tree_rows, units_visible_to


@login_required
def unit_list(request):
    rows = unit_tree_rows(units_visible_to(request.user))
    return render(request, "people/unit_list.html", {"rows": rows})
