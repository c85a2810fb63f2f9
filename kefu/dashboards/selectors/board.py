"""The supervisor's dashboard: today so far against the same weekday last week at the same
time of day and against the targets; what needs attention (unanswered conversations,
slow responders, a conversion drop); today's hourly volume against last week's."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from kefu.dashboards.periods import Span
from kefu.dashboards.scope import MetricScope
from kefu.dashboards.selectors.common import (
    Cell,
    Comparison,
    cell,
    compute,
    compute_total,
    scope_targets,
    target_met,
)
from kefu.metrics.definitions import METRIC_BY_KEY
from kefu.dashboards.formatting import figure_text

CARD_KEYS = (
    "conversations",
    "unanswered_conversations",
    "reply_rate",
    "response_time_avg",
    "response_within_rate",
    "service_level",
    "inquiry_conversion_rate",
    "agent_sales",
)
SLOW_KEYS = ("conversations", "response_time_avg", "response_within_rate")
# A fall of the inquiry conversion rate by this much (5 percentage points) against the
# same time last week is flagged even without a target: a normal day moves less.
CONVERSION_DROP = 0.05


@dataclass(frozen=True)
class Card:
    comparison: Comparison  # today against last week
    target: float | None
    href: str | None

    @property
    def metric(self):
        return self.comparison.metric

    @property
    def target_text(self) -> str:
        return figure_text(self.metric, self.target) if self.target is not None else ""

    @property
    def target_met(self) -> bool | None:
        return target_met(self.metric, self.comparison.value, self.target)


@dataclass(frozen=True)
class SlowResponder:
    agent: object
    conversations: Cell
    response_time_avg: Cell
    response_within_rate: Cell
    limit_text: str  # the response-time limit the agent is held to
    too_slow: bool  # the mean response time is over the limit
    under_target: bool  # the within-threshold rate is under its target


@dataclass(frozen=True)
class Board:
    scope: MetricScope
    today: Span  # today 00:00 to now
    last_week: Span  # the same weekday last week, 00:00 to the same time
    cards: list[Card]
    unanswered: Cell
    slow: list[SlowResponder]
    conversion: Comparison
    conversion_target: float | None
    conversion_dropped: bool
    hours: list[str] = field(default_factory=list)
    hourly_today: list[int] = field(default_factory=list)
    hourly_last_week: list[int] = field(default_factory=list)


def board_spans(scope: MetricScope, now: datetime) -> tuple[Span, Span]:
    """Today from local midnight to now, and the same stretch of the same weekday last week."""
    local_now = timezone.localtime(now, scope.tz)
    midnight = datetime.combine(local_now.date(), time.min, tzinfo=scope.tz)
    today = Span(midnight, local_now)
    if local_now == midnight:  # the very first instant of a day: an empty window is not a span
        today = Span(midnight, midnight + timedelta(seconds=1))
    return today, Span(today.start - timedelta(days=7), today.end - timedelta(days=7))


def board_today(*, scope: MetricScope, now: datetime | None = None) -> Board:
    """Everything the dashboard shows, for the shops in ``scope``."""
    now = now or timezone.now()
    today, last_week = board_spans(scope, now)
    keys = list(CARD_KEYS)
    current = compute_total(scope, today, keys=keys, as_of=now)
    previous = compute_total(scope, last_week, keys=keys, as_of=now)
    targets = scope_targets(scope)
    cards = [
        Card(
            Comparison(METRIC_BY_KEY[key], current[key], previous[key]),
            targets.get(key),
            cell(key, current[key], span=today, scope=scope).href,
        )
        for key in keys
    ]
    conversion = Comparison(
        METRIC_BY_KEY["inquiry_conversion_rate"], current["inquiry_conversion_rate"],
        previous["inquiry_conversion_rate"],
    )
    conversion_target = targets.get("inquiry_conversion_rate")
    hours, hourly_today, hourly_last_week = hourly_volumes(scope, today, now=now)
    return Board(
        scope=scope,
        today=today,
        last_week=last_week,
        cards=cards,
        unanswered=cell("unanswered_conversations", current["unanswered_conversations"], span=today, scope=scope),
        slow=slow_responders(scope, today, now=now),
        conversion=conversion,
        conversion_target=conversion_target,
        conversion_dropped=conversion_dropped(conversion, conversion_target),
        hours=hours,
        hourly_today=hourly_today,
        hourly_last_week=hourly_last_week,
    )


def conversion_dropped(conversion: Comparison, target) -> bool:
    if conversion.value is None:
        return False
    if target is not None and conversion.value < target:
        return True
    return conversion.other is not None and conversion.value <= conversion.other - CONVERSION_DROP


def slow_responders(scope: MetricScope, span: Span, *, now: datetime) -> list[SlowResponder]:
    """Agents whose mean response time today is over their shop's limit (the target of
    ``response_time_avg`` if set, else the response threshold), or whose within-threshold
    rate is under its target; the slowest first."""
    from kefu.metrics.shop_settings import MetricSettings, metric_settings_for

    settings_by_shop = {shop.pk: metric_settings_for(shop) for shop in scope.shops}
    default = MetricSettings()
    slow = []
    for row in compute(scope, span, by="agent", keys=SLOW_KEYS, as_of=now):
        agent, values = row.agent, row.metrics
        shop_settings = settings_by_shop.get(agent.shop_id, default) if agent else default
        limit = shop_settings.targets.get("response_time_avg", shop_settings.response_within_seconds)
        rate_target = shop_settings.targets.get("response_within_rate")
        too_slow = values["response_time_avg"] is not None and values["response_time_avg"] > limit
        under = (
            rate_target is not None
            and values["response_within_rate"] is not None
            and values["response_within_rate"] < rate_target
        )
        if too_slow or under:
            slow.append(
                SlowResponder(
                    agent=agent,
                    conversations=cell("conversations", values["conversations"], span=span, scope=scope, agent=agent),
                    response_time_avg=cell(
                        "response_time_avg", values["response_time_avg"], span=span, scope=scope, agent=agent
                    ),
                    response_within_rate=cell(
                        "response_within_rate", values["response_within_rate"], span=span, scope=scope, agent=agent
                    ),
                    limit_text=figure_text(METRIC_BY_KEY["response_time_avg"], limit),
                    too_slow=too_slow,
                    under_target=under,
                )
            )
    slow.sort(key=lambda s: -(s.response_time_avg.value or 0))
    return slow


def hourly_volumes(scope: MetricScope, today: Span, *, now: datetime) -> tuple[list[str], list[int], list[int]]:
    """Conversations per hour: today up to the current hour, and all of last week's same
    weekday (the curve to beat), from the engine's hourly volumes (one query each)."""
    from kefu.metrics.engine import volume_by_hour

    midnight = today.start
    labels = [f"{hour:02d}:00" for hour in range(24)]
    last_week = volume_by_hour(start=midnight - timedelta(days=7), end=midnight - timedelta(days=6),
                               shops=scope.engine_shops)
    current_hours = int((today.end - midnight).total_seconds() // 3600) + 1
    today_curve = volume_by_hour(start=midnight, end=min(midnight + timedelta(hours=current_hours), today.end),
                                 shops=scope.engine_shops) if today.end > midnight else []
    return (
        labels,
        [point["conversations"] for _hour, point in today_curve],
        [point["conversations"] for _hour, point in last_week],
    )
