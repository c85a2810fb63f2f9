"""The script library pages (话术库), mounted at /scripts/: the library with search and
category filter, a script with its versions, history and usage, the edit form, the
approval queue, Excel import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import KefuError, PermissionDenied
from kefu.scripts import permissions, selectors, services, spreadsheets
from kefu.scripts.choices import Scope, Status
from kefu.scripts.forms import ImportForm, PackForm, ScriptForm, SearchForm


def _require_view(user) -> None:
    if not permissions.can_view(user):
        raise PermissionDenied()


@login_required
def script_list_view(request):
    _require_view(request.user)
    categories = selectors.categories_for(user=request.user)
    form = SearchForm(request.GET or None, categories=categories)
    search, category = "", None
    if form.is_valid():
        search = form.cleaned_data["q"]
        category = form.cleaned_data["category"].pk if form.cleaned_data["category"] else None
    scripts = selectors.script_library(user=request.user, search=search, category=category)
    return render(request, "scripts/list.html", {
        "form": form, "scripts": scripts[:500], "can_approve": permissions.can_approve(request.user),
        "pending": selectors.approval_queue(user=request.user).count(),
        "query": request.GET.urlencode(),
    })


@login_required
def script_detail_view(request, pk):
    script = permissions.script_get_for_user(user=request.user, script_id=pk)
    stats = selectors.script_stats(type(script).objects.filter(pk=script.pk)).get()
    return render(request, "scripts/detail.html", {
        "script": script, "stats": stats, "versions": selectors.script_versions(script),
        "events": selectors.script_events(script),
        "rating_share": selectors.share(stats.satisfied_count, stats.rated_count),
        "conversion": selectors.share(stats.converted_count, stats.presale_count),
        "can_edit": permissions.can_edit(request.user, script),
        "can_approve": permissions.can_approve(request.user) and script.status == Status.PENDING,
        "can_submit": (script.scope == Scope.SHOP and script.status in (Status.DRAFT, Status.REJECTED)
                       and permissions.can_edit(request.user, script)),
        "unknown": services.unknown_variables(script.body),
    })


@login_required
def script_edit_view(request, pk=None):
    _require_view(request.user)
    script = permissions.script_get_for_user(user=request.user, script_id=pk) if pk else None
    if script is not None and not permissions.can_edit(request.user, script):
        raise PermissionDenied()
    categories = selectors.categories_for(user=request.user)
    initial = {}
    if script is not None:
        initial = {"category": script.category, "title": script.title, "body": script.body,
                   "keywords": "，".join(script.keywords)}
    form = ScriptForm(request.POST or None, initial=initial, categories=categories, editing=script is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if script is None:
                script = services.script_create(actor=request.user, category=data["category"], title=data["title"],
                                                body=data["body"], keywords=data["keywords"], scope=data["scope"])
            else:
                script = services.script_edit(actor=request.user, script=script, title=data["title"],
                                              body=data["body"], keywords=data["keywords"], category=data["category"])
        except KefuError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Script saved."))
            return redirect("scripts:detail", pk=script.pk)
    return render(request, "scripts/edit.html", {"form": form, "script": script})


@login_required
@require_POST
def script_action_view(request, pk, action):
    script = permissions.script_get_for_user(user=request.user, script_id=pk)
    comment = request.POST.get("comment", "")
    actions = {
        "submit": lambda: services.script_submit(actor=request.user, script=script),
        "approve": lambda: services.script_approve(actor=request.user, script=script, comment=comment),
        "reject": lambda: services.script_reject(actor=request.user, script=script, comment=comment),
        "archive": lambda: services.script_archive(actor=request.user, script=script, comment=comment),
    }
    if action not in actions:
        raise PermissionDenied()
    try:
        actions[action]()
    except KefuError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    if request.POST.get("from") == "queue":
        return redirect("scripts:queue")
    return redirect("scripts:detail", pk=pk)


@login_required
def approval_queue_view(request):
    if not permissions.can_approve(request.user):
        raise PermissionDenied()
    return render(request, "scripts/queue.html", {"scripts": selectors.approval_queue(user=request.user)})


@login_required
def export_view(request):
    _require_view(request.user)
    category = request.GET.get("category")
    data = spreadsheets.scripts_export(user=request.user, search=request.GET.get("q", ""),
                                       category=int(category) if category and category.isdigit() else None)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="scripts.xlsx"'
    return response


@login_required
def import_view(request):
    if not permissions.can_approve(request.user):
        raise PermissionDenied()
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = spreadsheets.scripts_import(actor=request.user, file=form.cleaned_data["file"])
        except KefuError as error:
            form.add_error("file", error.message)
    return render(request, "scripts/import.html", {"form": form, "result": result})


def _require_packs(user) -> None:
    if not permissions.can_manage_packs(user):
        raise PermissionDenied()


@login_required
def pack_list_view(request):
    _require_packs(request.user)
    form = PackForm(request.POST or None, promotions=selectors.promotions_for(user=request.user))
    if request.method == "POST" and form.is_valid():
        pack = services.pack_create(actor=request.user, promotion=form.cleaned_data["promotion"],
                                    name=form.cleaned_data["name"])
        return redirect("scripts:pack", pk=pack.pk)
    return render(request, "scripts/packs.html", {"form": form, "packs": selectors.pack_list(user=request.user),
                                                  "running": set(selectors.packs_running().values_list("pk", flat=True))})


@login_required
def pack_detail_view(request, pk):
    _require_packs(request.user)
    pack = selectors.pack_get_for_user(user=request.user, pack_id=pk)
    candidates = selectors.pack_candidates(user=request.user, pack=pack)
    if request.method == "POST":
        try:
            if "publish" in request.POST:
                services.pack_publish(actor=request.user, pack=pack, published=request.POST["publish"] == "1")
            else:
                chosen = candidates.filter(pk__in=request.POST.getlist("scripts"))
                services.pack_scripts_set(actor=request.user, pack=pack, scripts=chosen)
        except KefuError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Done."))
        return redirect("scripts:pack", pk=pack.pk)
    return render(request, "scripts/pack.html", {"pack": pack, "candidates": candidates,
                                                 "running": selectors.packs_running().filter(pk=pack.pk).exists()})
