"""The computation behind ``roster_generate``: the shop's own history → volume forecast →
agents required per interval (Erlang C) → least-cost shifts named to the shop's agents.

No database writes here (the service stores the plan); the solver runs outside any
transaction. Every input error becomes a ``ValidationError`` naming what is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import Agent
from kefu.core.errors import ValidationError
from kefu.wfm.arrivals import conversation_arrivals
from kefu.wfm.forecast import ForecastInputError, Promotion, volume_forecast
from kefu.wfm.schedule import ScheduleNotFound, schedule_optimise
from kefu.wfm.schedule_input import Agent as ScheduleAgent
from kefu.wfm.schedule_input import Requirements, ScheduleInputError
from kefu.wfm.selectors import rules_of, week_bounds
from kefu.wfm.staffing import StaffingInputError, staffing_required

DEFAULT_STAFFING = {"target_sl": 0.8, "target_seconds": 30, "aht": None, "concurrency": 3, "max_occupancy": 0.85,
                    "shrinkage": 0.2, "interval_minutes": 30}


@dataclass
class Plan:
    """What the service stores: per interval (start, volume, aht, agents), the shifts, the summary."""

    intervals: list[tuple[datetime, float, float, int]]
    shifts: list[dict]  # {"agent_id", "shift_type", "start", "end", "breaks", "paid_minutes"}
    summary: dict
    promotions: list[dict]
    model: str


def _promotions(promotions: list[dict]) -> list[Promotion]:
    out = []
    for i, p in enumerate(promotions):
        if p["end"] <= p["start"]:
            raise ValidationError(_("Promotion %(name)s: the end must be after the start") % {"name": p["name"]})
        uplift = p.get("uplift")
        if uplift is not None and uplift < 0:
            raise ValidationError(_("Promotion %(name)s: the uplift cannot be negative") % {"name": p["name"]})
        out.append(Promotion(start=p["start"], end=p["end"], name=p["name"], kind=p.get("kind") or p["name"],
                             uplift=uplift, source="given" if uplift is not None else "none", line=i + 1))
    return out


def plan_forecast(*, shop, week_start: date, promotions: list[dict], interval_minutes: int):
    """The forecast of the week's intervals, from the shop's conversations before the week (or now)."""
    start, end = week_bounds(shop=shop, week_start=week_start)
    until = min(django_timezone.now(), start)
    try:
        history = conversation_arrivals(shop_ext_id=shop.ext_id, interval_minutes=interval_minutes, until=until)
        step = timedelta(minutes=interval_minutes)
        history_end = history.starts[-1] + step
        horizon_days = max(1, math.ceil((end - history_end) / timedelta(days=1)))
        forecast = volume_forecast(history=history, horizon_days=horizon_days, promotions=_promotions(promotions))
    except ForecastInputError as error:
        raise ValidationError(_("Too little history to forecast this shop: %(reason)s. The forecast needs at least "
                                "7 whole days of the shop's conversations.") % {"reason": error}) from None
    keep = [i for i, s in enumerate(forecast.starts) if start <= s < end]
    per_week = 7 * 1440 // interval_minutes
    if len(keep) != per_week:
        raise ValidationError(_("The forecast covers %(n)d of the week's %(total)d intervals") % {
            "n": len(keep), "total": per_week})
    fallback = None
    if history.aht is not None and np.isfinite(history.aht).any():
        weights = np.where(np.isfinite(history.aht), history.volume, 0)
        if weights.sum() > 0:
            fallback = float(np.nansum(np.nan_to_num(history.aht) * weights) / weights.sum())
    ahts = []
    for i in keep:
        value = None if forecast.aht is None else float(forecast.aht[i])
        ahts.append(value if value is not None and math.isfinite(value) else fallback)
    return forecast, keep, ahts


def plan_build(*, shop, week_start: date, promotions: list[dict], params: dict, rules_json: dict,
               time_limit: float = 20.0) -> Plan:
    """Forecast, staffing and the optimised roster of one week (see the module docstring)."""
    if week_start.weekday() != 0:
        raise ValidationError(_("A roster week starts on a Monday; %(day)s is not one") % {"day": week_start})
    params = {**DEFAULT_STAFFING, **{k: v for k, v in params.items() if v is not None or k == "aht"}}
    interval = int(params["interval_minutes"])
    forecast, keep, ahts = plan_forecast(shop=shop, week_start=week_start, promotions=promotions,
                                         interval_minutes=interval)
    intervals = []
    for i, aht in zip(keep, ahts):
        aht = params["aht"] or aht
        volume = float(forecast.volume[i])
        if aht is None:
            raise ValidationError(_("No handle time is known from the shop's history: give an AHT"))
        try:
            result = staffing_required(volume=volume, interval_minutes=interval, aht=aht,
                                       target_sl=params["target_sl"], target_seconds=params["target_seconds"],
                                       concurrency=params["concurrency"], max_occupancy=params["max_occupancy"],
                                       shrinkage=params["shrinkage"])
        except StaffingInputError as error:
            raise ValidationError(_("Staffing parameters: %(reason)s") % {"reason": error}) from None
        intervals.append((forecast.starts[i], volume, aht, result.scheduled_agents))

    try:
        rules = rules_of(rules_json)
    except ScheduleInputError as error:
        raise ValidationError(_("The shop's scheduling rules: %(reason)s") % {"reason": error.message}) from None
    agents = list(Agent.objects.filter(shop=shop, active=True).order_by("name", "pk"))
    if not agents:
        raise ValidationError(_("The shop has no active agents to schedule"))
    names = tuple(t.name for t in rules.shift_types)
    labour = rules.labour
    schedule_agents = [ScheduleAgent(id=str(a.pk), name=a.name, shift_types=names, max_hours_day=labour.max_hours_day,
                                     max_hours_week=labour.max_hours_week, min_rest_hours=labour.min_rest_hours,
                                     days_off_per_week=labour.days_off_per_week,
                                     max_consecutive_days=labour.max_consecutive_days) for a in agents]
    first = intervals[0][0].astimezone(forecast.tz)
    requirements = Requirements(start=first, interval_minutes=interval, required=tuple(r for *_x, r in intervals))
    try:
        result = schedule_optimise(requirements=requirements, rules=rules, agents=schedule_agents,
                                   time_limit=time_limit, roster_time_limit=time_limit)
    except ScheduleInputError as error:
        raise ValidationError(_("The shop's scheduling rules: %(reason)s") % {"reason": error.message}) from None
    except ScheduleNotFound as error:
        raise ValidationError(str(error)) from None
    return Plan(intervals=intervals, shifts=_shifts(result, rules), summary=_summary(result),
                promotions=[p.as_dict(forecast.tz) for p in forecast.promotions], model=forecast.model)


def _summary(result: dict) -> dict:
    roster = result.get("roster") or {}
    return {"cost": result["cost"], "optimal": result["optimal"] and roster.get("optimal", True), "gap": result["gap"],
            "shortfall": result["shortfall"], "unassigned": roster.get("unassigned_shifts", 0),
            "paid_hours": result["paid_hours"], "solve_seconds": result["solve_seconds"],
            "roster_solve_seconds": roster.get("solve_seconds")}


def _shifts(result: dict, rules) -> list[dict]:
    """One row per person-shift: each instance's count split over its agents (the rest unassigned),
    and each person given one placement of every break."""
    out = []
    for instance in result["shifts"]:
        shift_type = rules.shift_type(instance["type"])
        count = instance["count"]
        per_person = [[] for _ in range(count)]
        placements = iter(instance["breaks"])  # ordered by break definition, then offset
        for b in shift_type.breaks:
            person = 0
            while person < count:
                placement = next(placements)
                for _n in range(placement["count"]):
                    per_person[person].append({"start": placement["start"], "length_minutes": b.length_minutes,
                                               "paid": b.paid})
                    person += 1
        agents = instance.get("agents", [])
        for k in range(count):
            out.append({"agent_id": int(agents[k]) if k < len(agents) else None, "shift_type": shift_type.name,
                        "start": datetime.fromisoformat(instance["start"]), "end": datetime.fromisoformat(instance["end"]),
                        "breaks": per_person[k], "paid_minutes": shift_type.paid_minutes})
    return out
