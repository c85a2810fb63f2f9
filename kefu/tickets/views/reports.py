"""The department SLA report (/tickets/reports/sla/): per department and per team, how
long customers waited in business time, the share breached and what is still open."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kefu.tickets.selectors import department_sla_report
from kefu.tickets.views.common import report_required

DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _hours(seconds):
    return None if seconds is None else round(seconds / 3600, 2)


@login_required
@require_GET
def sla_report_view(request):
    report_required(request.user)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    end: date = data.get("end") or today
    start: date = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    rows = department_sla_report(
        user=request.user,
        start=timezone.make_aware(datetime.combine(start, time.min)),
        end=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )
    departments = [row for row in rows if row.group == "department"]
    teams = [row for row in rows if row.group == "team"]
    chart_rows = departments + teams
    chart = {
        "labels": [row.name for row in chart_rows],
        "series": [
            {"name": _("First response, average (business hours)"),
             "values": [_hours(row.first_response_avg) for row in chart_rows]},
            {"name": _("Resolution, average (business hours)"),
             "values": [_hours(row.resolution_avg) for row in chart_rows]},
        ],
        "breached": [round((row.breached_share or 0) * 100, 1) for row in chart_rows],
        "breached_name": _("Breached (%)"),
        "hours": _("h"),
        "empty": _("No tickets in this period."),
    }
    if not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    context = {
        "form": form, "start": start, "end": end, "departments": departments, "teams": teams,
        "chart": chart if chart_rows else None,
    }
    return render(request, "tickets/sla_report.html", context)
