"""Quality-inspection pages: the QA report, one inspection with its findings in place, and
the rule editor (rules in force, history, edit with a preview before saving, severity
weights)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import NotFound, PermissionDenied, ValidationError
from kefu.dashboards.views.common import filter_form, query_without, request_scope
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.qa import selectors
from kefu.qa.forms import (
    PARAM_LABELS,
    PreviewPeriodForm,
    ReportForm,
    RuleForm,
    WeightsForm,
    draft_digest,
    shop_qa_weights_update,
)
from kefu.qa.inspector import matcher_for, shop_weights
from kefu.qa.models import RuleKind, Severity, Target
from kefu.qa.rules import rule_preview, rule_save

VIEW_INSPECTION = "qa.view_inspection"
VIEW_RULE = "qa.view_rule"
ADD_RULE = "qa.add_rule"
REINSPECT_CHUNK = 2000


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied()


# ---- the QA report -------------------------------------------------------------------


@login_required
@require_GET
def report(request):
    _require(request.user, VIEW_INSPECTION)
    form = filter_form(request, ReportForm)
    scope = request_scope(request, form)
    today = scope.today()
    span = form.span(today)
    context = {"form": form, "scope": scope, "span": span, "chart": True, "shop": scope.shop,
               "metrics": {key: METRIC_BY_KEY[key] for key in selectors.QA_KEYS}}
    if not scope.shops:
        return render(request, "qa/report.html", {**context, "data": None, "chart": False})
    data = selectors.qa_report(
        user=request.user, shops=scope.shops, start=span.start, end=span.end, grain=form.value("grain", "day"),
        by=form.value("by", "agent"), since=form.value("since"), today=today,
    )
    context.update(data=data, charts=_report_charts(data, form.value("grain", "day")),
                   by_query=query_without(request, "by"), by=data.by)
    return render(request, "qa/report.html", context)


def _report_charts(data, grain: str) -> dict:
    score, per_100 = (METRIC_BY_KEY[key] for key in selectors.QA_KEYS)
    labels = [row.group[grain] for row in data.trend]
    return {
        "score": {"labels": labels, "series": [
            {"name": score.name, "unit": "number", "values": [row.metrics[score.key] for row in data.trend]}]},
        "findings": {"labels": labels, "series": [
            {"name": per_100.name, "unit": "number", "values": [row.metrics[per_100.key] for row in data.trend]}]},
        "agents": {"labels": [monday.isoformat() for monday in data.weeks], "series": [
            {"name": trend.agent.name, "unit": "number", "values": trend.weekly} for trend in data.agents]},
    }


# ---- one inspection --------------------------------------------------------------------


@dataclass
class MessageLine:
    message: object
    findings: list
    segments: list  # [(text, marked)]: the message text with the matched words marked

    @property
    def severity(self) -> str:
        order = ("critical", "major", "minor")
        return next((s for s in order if any(f.severity == s for f in self.findings)), "")


def _spans(rule, text: str) -> list[tuple[int, int]]:
    """Where a rule version matched a message: its words or pattern (measured rules, such
    as a slow reply, mark the whole message instead)."""
    try:
        if rule.kind == RuleKind.REGEX:
            return [m.span() for m in re.finditer(rule.params.get("pattern", ""), text) if m.end() > m.start()]
        names = {RuleKind.KEYWORD: ("words",), RuleKind.UNRESOLVED_COMPLAINT: ("complaint_words",)}.get(rule.kind)
        if names is None:
            return []
        return [(m.start, m.end) for m in matcher_for(rule, names).find(text)]
    except Exception:  # noqa: BLE001 - highlighting is a courtesy; the finding stands without it
        return []


def _segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    out, position = [], 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        if start > position:
            out.append((text[position:start], False))
        out.append((text[start:end], True))
        position = end
    if position < len(text):
        out.append((text[position:], False))
    return out


@login_required
@require_GET
def inspection_detail(request, pk: int):
    _require(request.user, VIEW_INSPECTION)
    view = selectors.inspection_get_for_user(user=request.user, conversation_id=pk)
    lines = []
    for message in view.messages:
        findings = view.findings_by_message.get(message.ext_id, [])
        spans = [span for finding in findings for span in _spans(finding.rule, message.text or "")]
        lines.append(MessageLine(message, findings, _segments(message.text or "", spans)))
    context = {
        "view": view,
        "conversation": view.conversation,
        "shop": view.conversation.shop,
        "inspection": view.inspection,
        "lines": lines,
        "weights": shop_weights(view.conversation.shop),
    }
    return render(request, "qa/inspection.html", context)


# ---- rules -----------------------------------------------------------------------------


def _shop_of(request):
    return selectors.rule_shop_get_for_user(user=request.user,
                                            shop_id=request.POST.get("shop") or request.GET.get("shop"))


def _rules_url(name: str, shop, *args) -> str:
    return f"{reverse(name, args=args)}?{urlencode({'shop': shop.pk})}"


@login_required
@require_GET
def rule_list(request):
    _require(request.user, VIEW_RULE)
    shop = _shop_of(request)
    weights_form = None
    if shop is not None and request.user.has_perm(ADD_RULE):
        weights_form = WeightsForm(initial=shop_weights(shop))
    return _render_rules(request, shop, weights_form)


def _render_rules(request, shop, weights_form, status: int = 200):
    context = {
        "shop": shop,
        "shops": selectors.rule_shops_for_user(request.user),
        "lines": selectors.rule_lines(shop) if shop is not None else [],
        "weights": shop_weights(shop) if shop is not None else {},
        "weights_form": weights_form,
        "can_edit": request.user.has_perm(ADD_RULE),
    }
    return render(request, "qa/rules.html", context, status=status)


@login_required
@require_POST
def weights_update(request):
    _require(request.user, ADD_RULE)
    shop = _shop_of(request)
    if shop is None:
        raise NotFound()
    form = WeightsForm(request.POST)
    if form.is_valid():
        try:
            shop_qa_weights_update(shop, weights=form.cleaned_data, actor=request.user, request=request)
        except ValidationError as error:
            form.add_error((error.detail or {}).get("field"), str(error.message))
        else:
            messages.success(request, _("Severity weights of %(shop)s saved. New inspections use them; re-inspect a "
                                        "period (save a rule with re-inspection) to rescore past ones.")
                             % {"shop": shop.name})
            return redirect(_rules_url("qa:rules", shop))
    return _render_rules(request, shop, form, status=400)


@login_required
@require_GET
def rule_detail(request, key: str):
    _require(request.user, VIEW_RULE)
    shop = _shop_of(request)
    if shop is None:
        raise NotFound()
    rule = selectors.rule_get(shop=shop, key=key)
    line = next(line for line in selectors.rule_lines(shop) if line.rule.key == key)
    history = [
        {"rule": version.rule, "changes": [_change_row(change) for change in version.changes]}
        for version in selectors.rule_history(shop=shop, key=key)
    ]
    params = [{"label": PARAM_LABELS.get(name, name), "value": value, "is_list": isinstance(value, list)}
              for name, value in (rule.params or {}).items()]
    context = {
        "shop": shop,
        "rule": rule,
        "line": line,
        "params": params,
        "history": history,
        "can_edit": request.user.has_perm(ADD_RULE),
    }
    return render(request, "qa/rule_detail.html", context)


def _shown(name: str, value):
    """A rule field's value as the history shows it (choices by their label)."""
    if value is None:
        return "—"
    if name == "severity":
        return Severity(value).label
    if name == "target":
        return Target(value).label
    if name == "enabled":
        return _("Enabled") if value else _("Disabled")
    return value


def _change_row(change) -> dict:
    labels = {"name": _("Name"), "severity": _("Severity"), "enabled": _("Status"), "target": _("Looks at"),
              **PARAM_LABELS}
    return {"change": change, "label": labels.get(change.name, change.name),
            "before": _shown(change.name, change.before), "after": _shown(change.name, change.after)}


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, key: str):
    _require(request.user, ADD_RULE)
    shop = _shop_of(request)
    if shop is None:
        raise NotFound()
    return _rule_editor(request, shop, selectors.rule_get(shop=shop, key=key))


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    _require(request.user, ADD_RULE)
    shop = _shop_of(request)
    if shop is None:
        raise NotFound()
    return _rule_editor(request, shop, None)


def _shop_today(shop) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(shop.timezone)).date()


def _rule_editor(request, shop, rule):
    """Edit (or add) a rule: "Preview" re-inspects the period with the draft and shows the
    findings it would add and remove; "Save" writes a new version, and only the draft
    that was previewed (a changed draft is previewed again first)."""
    posted = request.method == "POST"
    form = RuleForm(request.POST if posted else None, rule=rule)
    period = PreviewPeriodForm(request.POST if posted else None, today=_shop_today(shop))
    preview, digest, stale = None, "", False
    if posted and form.is_valid() and period.is_valid():
        draft = form.draft()
        start, end = period.span()
        digest = draft_digest(draft, start, end)
        try:
            if rule is None and draft["key"] in selectors.rule_names(shop):
                raise ValidationError("key exists", detail={"field": "key_exists"})
            if request.POST.get("action") == "save" and request.POST.get("previewed") == digest:
                saved = rule_save(shop, draft, actor=request.user, note=form.cleaned_data.get("note", ""),
                                  request=request)
                messages.success(request, _("Rule “%(name)s” saved as version %(version)d.")
                                 % {"name": saved.name, "version": saved.version})
                if request.POST.get("reinspect"):
                    transaction.on_commit(lambda: _reinspect(shop, start, end))
                    messages.info(request, _("The conversations of %(start)s – %(end)s are being re-inspected with it.")
                                  % {"start": start.isoformat(), "end": (end - timedelta(days=1)).isoformat()})
                return redirect(_rules_url("qa:rule", shop, saved.key))
            stale = request.POST.get("action") == "save"
            preview = rule_preview(shop, draft, start=start, end=end)
        except ValidationError as error:
            if (error.detail or {}).get("field") == "key_exists":
                form.add_error("key", _("This shop already has a rule with this key: edit it instead."))
            else:
                form.add_rule_error(error)
            preview, digest = None, ""
    context = {
        "shop": shop,
        "rule": rule,
        "form": form,
        "period": period,
        "preview": preview,
        "digest": digest,
        "stale": stale,
        "reinspect": request.POST.get("reinspect") if "reinspect_shown" in request.POST else "1",
    }
    return render(request, "qa/rule_edit.html", context, status=400 if posted and form.errors else 200)


def _reinspect(shop, start: date, end: date) -> None:
    """Re-inspect the preview period with the saved rule set, in the background."""
    from kefu.qa.inspector import conversation_ids_of_period
    from kefu.qa.tasks import inspect_task

    ids = conversation_ids_of_period(start=start, end=end, shops=[shop])
    for first in range(0, len(ids), REINSPECT_CHUNK):
        inspect_task.enqueue(ids[first : first + REINSPECT_CHUNK])
