"""The home page: what it shows depends on the person's role (``ROLE_PRECEDENCE``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kefu.accounts.permissions import shop_ids_for_user, shops_for_user
from kefu.accounts.roles import DEPARTMENT_ROLES, Role
from kefu.accounts.selectors import user_primary_role, user_roles
from kefu.web.selectors import department_figures, supervisor_dashboard

DASHBOARD_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.TEAM_LEAD)


@login_required
@require_GET
def home(request):
    role = user_primary_role(request.user)
    if role in DASHBOARD_ROLES:
        shop_ids = shop_ids_for_user(request.user)
        context = {
            "board": supervisor_dashboard(user=request.user),
            "scope_shops": None if shop_ids is None else shops_for_user(request.user),
        }
        return render(request, "web/home_supervisor.html", context)
    if role in (Role.AGENT, Role.QA):
        return redirect("conversation_list")
    if role in DEPARTMENT_ROLES:
        sections = [
            {"role": Role(dept), "groups": department_figures(user=request.user, role=dept)}
            for dept in user_roles(request.user)
            if dept in DEPARTMENT_ROLES
        ]
        return render(request, "web/home_department.html", {"sections": sections})
    return render(request, "web/home_no_role.html")
