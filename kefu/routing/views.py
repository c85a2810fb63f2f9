"""The supervisor's routing pages (分流设置), mounted at /routing/: the shop's settings,
its skill groups with members and per-group caps, each agent's own cap."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import Agent
from kefu.accounts.permissions import shops_for_user
from kefu.core.errors import NotFound, PermissionDenied
from kefu.routing import services
from kefu.routing.forms import AgentCapForm, RoutingSettingsForm, SkillGroupForm
from kefu.routing.models import AgentRouting, SkillGroup
from kefu.routing.permissions import MANAGE
from kefu.routing.selectors import effective_cap, routing_settings_for


def _shop(request):
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied()
    shops = list(shops_for_user(request.user).order_by("name"))
    if not shops:
        raise NotFound()
    wanted = request.POST.get("shop") or request.GET.get("shop")
    return shops, next((s for s in shops if str(s.pk) == wanted), shops[0])


def _agents(shop):
    return Agent.objects.filter(active=True, shop=shop).order_by("name")


def _back(shop) -> str:
    return f"{reverse('routing:settings')}?shop={shop.pk}"


@login_required
def settings_view(request):
    shops, shop = _shop(request)
    settings = routing_settings_for(shop)
    form = RoutingSettingsForm(request.POST or None, instance=settings if settings.pk else None)
    if request.method == "POST" and form.is_valid():
        services.routing_settings_update(shop=shop, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("The routing settings were saved."))
        return redirect(_back(shop))
    rows = {row.agent_id: row for row in AgentRouting.objects.filter(agent__shop=shop)}
    agents = [(agent, rows.get(agent.pk), effective_cap(rows[agent.pk]) if agent.pk in rows else
               settings.default_max_concurrent) for agent in _agents(shop)]
    groups = SkillGroup.objects.filter(shop=shop).prefetch_related("memberships__agent").select_related(
        "overflow_group")
    return render(request, "routing/settings.html", {
        "shops": shops, "shop": shop, "form": form, "groups": groups, "agents": agents,
    })


@login_required
def group_edit_view(request, pk: int | None = None):
    shops, shop = _shop(request)
    group = None
    if pk is not None:
        group = get_object_or_404(SkillGroup.objects.filter(shop__in=shops), pk=pk)
        shop = group.shop
    form = SkillGroupForm(request.POST or None, instance=group, shop=shop, agents=_agents(shop))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["customer_tags"] = form.customer_tags()
        services.skill_group_save(shop=shop, actor=request.user, group=group, members=form.members(),
                                  request=request, **fields)
        messages.success(request, _("The skill group was saved."))
        return redirect(_back(shop))
    return render(request, "routing/group_edit.html", {"shop": shop, "form": form, "group": group})


@login_required
@require_POST
def group_delete_view(request, pk: int):
    shops, _shop_chosen = _shop(request)
    group = get_object_or_404(SkillGroup.objects.filter(shop__in=shops), pk=pk)
    shop = group.shop
    services.skill_group_delete(group=group, actor=request.user, request=request)
    messages.success(request, _("The skill group was removed."))
    return redirect(_back(shop))


@login_required
@require_POST
def agent_cap_view(request, agent_id: int):
    shops, _shop_chosen = _shop(request)
    agent = get_object_or_404(Agent.objects.filter(shop__in=shops), pk=agent_id)
    form = AgentCapForm(request.POST)
    if form.is_valid():
        services.agent_cap_set(agent, max_concurrent=form.cleaned_data["max_concurrent"])
        messages.success(request, _("%(agent)s's cap was saved.") % {"agent": agent.name})
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_back(agent.shop))
