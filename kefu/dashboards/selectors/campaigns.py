"""Campaign reviews (大促复盘): a promotion's before / pre-sale / main / after phases, the
volume curve across them with the phases marked, and each phase's figures side by side.

"Before" is as long as the promotion (pre-sale and main phase) and ends where it starts;
"after" starts the day after the main phase and lasts as long, or ``after_days``."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kefu.accounts.permissions import shop_ids_for_user
from kefu.core.errors import NotFound
from kefu.dashboards.periods import Span
from kefu.dashboards.scope import MetricScope
from kefu.dashboards.selectors.common import Cell, cell, compute, compute_total, metrics_of
from kefu.reports.formatting import display_kind
from kefu.shops.models import Promotion

CAMPAIGN_KEYS = (
    "conversations",
    "unanswered_conversations",
    "reply_rate",
    "first_response_time_avg",
    "response_time_avg",
    "response_within_rate",
    "inquiries",
    "inquiry_conversion_rate",
    "agent_sales",
    "avg_order_value",
    "silent_orders",
    "csat",
    "bad_review_rate",
    "aftersale_completion_rate",
    "refund_rate",
    "online_hours",
)
CURVE_KEYS = ("conversations", "inquiries")
# A review spanning this many days or fewer draws its curve by hour.
HOURLY_MAX_DAYS = 4


@dataclass(frozen=True)
class Phase:
    key: str  # before | presale | main | after
    label: str
    span: Span


@dataclass(frozen=True)
class CampaignLine:
    metric: object
    cells: list[Cell]  # one per phase


@dataclass(frozen=True)
class CampaignReview:
    promotion: Promotion
    phases: list[Phase]
    lines: list[CampaignLine]
    curve: dict  # labels, series, phase areas
    hourly: bool
    incomplete: bool  # the after phase has not ended yet


def promotions_for_user(user):
    """Promotions of the user's shops and those of every shop."""
    promotions = Promotion.objects.select_related("shop")
    shop_ids = shop_ids_for_user(user)
    if shop_ids is None:
        return promotions
    return promotions.filter(Q(shop__isnull=True) | Q(shop_id__in=shop_ids))


def promotion_get_for_user(*, user, promotion_id) -> Promotion:
    promotion = promotions_for_user(user).filter(pk=promotion_id).first()
    if promotion is None:
        raise NotFound()
    return promotion


def promotion_phases(promotion: Promotion) -> list[Phase]:
    first = promotion.presale_start or promotion.main_start
    after_start = promotion.main_end + timedelta(days=1)
    length = (after_start - first).days
    phases = [Phase("before", _("Before"), Span(first - timedelta(days=length), first))]
    if promotion.presale_start:
        phases.append(Phase("presale", pgettext("promotion phase", "Pre-sale"), Span(promotion.presale_start, promotion.main_start)))
    phases.append(Phase("main", _("Main phase"), Span(promotion.main_start, after_start)))
    after_days = promotion.after_days or length
    phases.append(Phase("after", _("After"), Span(after_start, after_start + timedelta(days=after_days))))
    return phases


def campaign_review(*, promotion: Promotion, scope: MetricScope, today: date) -> CampaignReview:
    phases = promotion_phases(promotion)
    keys = list(CAMPAIGN_KEYS)
    per_phase = [compute_total(scope, phase.span, keys=keys) for phase in phases]
    lines = [
        CampaignLine(m, [cell(m.key, values[m.key], span=phase.span, scope=scope) for phase, values in zip(phases, per_phase)])
        for m in metrics_of(keys)
    ]
    whole = Span(phases[0].span.start, phases[-1].span.end)
    hourly = whole.days <= HOURLY_MAX_DAYS
    curve = _hourly_curve(scope, phases) if hourly else _daily_curve(scope, whole, phases)
    return CampaignReview(promotion, phases, lines, curve, hourly, incomplete=phases[-1].span.end > today)


def _daily_curve(scope: MetricScope, whole: Span, phases: list[Phase]) -> dict:
    keys = list(CURVE_KEYS)
    rows = compute(scope, whole, by="day", keys=keys)
    labels = [row.group["day"] for row in rows]
    areas = [
        {"name": p.label, "key": p.key, "from": p.span.start.isoformat(), "to": p.span.last_day.isoformat()}
        for p in phases
    ]
    return {
        "labels": labels,
        "series": [
            {"key": m.key, "name": m.name, "unit": display_kind(m), "values": [row.metrics[m.key] for row in rows]}
            for m in metrics_of(keys)
        ],
        "areas": areas,
    }


def _hourly_curve(scope: MetricScope, phases: list[Phase]) -> dict:
    """One point per hour of the review (shop time), from the engine's hourly volumes."""
    from kefu.metrics.engine import volume_by_hour

    keys = list(CURVE_KEYS)
    tz = scope.tz
    labels, values = [], {key: [] for key in keys}
    hour_of_phase = {}
    start = datetime.combine(phases[0].span.start, time.min, tzinfo=tz)
    end = datetime.combine(phases[-1].span.end, time.min, tzinfo=tz)
    for moment, figures in volume_by_hour(start=start, end=end, shops=scope.engine_shops, keys=keys):
        label = f"{moment:%m-%d %H:00}"
        labels.append(label)
        for key in keys:
            values[key].append(figures[key])
        for phase in phases:
            if phase.span.start <= moment.date() < phase.span.end:
                hour_of_phase.setdefault(phase.key, [label, label])[1] = label
    areas = [
        {"name": p.label, "key": p.key, "from": hour_of_phase[p.key][0], "to": hour_of_phase[p.key][1]}
        for p in phases
        if p.key in hour_of_phase
    ]
    return {
        "labels": labels,
        "series": [{"key": m.key, "name": m.name, "unit": display_kind(m), "values": values[m.key]} for m in metrics_of(keys)],
        "areas": areas,
    }
