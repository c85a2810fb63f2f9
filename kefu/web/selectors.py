"""What the home pages show, assembled from the metric engine and the domain selectors.
No figure is computed here. The figures spec/metrics.md defines (conversations, unanswered
conversations and the list behind them) come from the metric engine, like every dashboard
and report; the live counts it does not define (messages, orders, after-sales opened,
reviews, agents online, intake) from their domain's selectors."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.permissions import conversation_list_for_user, shop_ids_for_user
from kefu.commerce import selectors as commerce
from kefu.commerce.models import AfterSaleKind, LogisticsStatus
from kefu.conversations import selectors as conversations
from kefu.core.periods import day_window
from kefu.intake.selectors import IntakeStatus, intake_status
from kefu.presence import selectors as presence

UNANSWERED_LIST_LENGTH = 10
DEPARTMENT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class SupervisorDashboard:
    day: date
    today: conversations.ConversationDayCounts
    yesterday: conversations.ConversationDayCounts
    messages: conversations.MessageDayCounts
    orders: commerce.OrderDayCounts
    aftersales_opened: int
    reviews: commerce.ReviewCounts
    agents_online: int
    agents_active: int
    intake: IntakeStatus
    unanswered: list = field(default_factory=list)

    @property
    def conversations_change(self) -> int:
        return self.today.conversations - self.yesterday.conversations


def _conversation_counts(*, shop_ids, day: date, now: datetime) -> conversations.ConversationDayCounts:
    """The engine's ``conversations`` and ``unanswered_conversations`` of a shop-day."""
    from kefu.metrics.engine import metrics_compute

    figures = metrics_compute(
        start=day, end=day + timedelta(days=1), shops=shop_ids, as_of=now,
        keys=["conversations", "unanswered_conversations"],
    )[0].metrics
    return conversations.ConversationDayCounts(
        conversations=figures["conversations"], unanswered=figures["unanswered_conversations"]
    )


def supervisor_dashboard(*, user, now: datetime | None = None) -> SupervisorDashboard:
    """Today's live board of the shops the user works for (days cut per shop timezone)."""
    from kefu.metrics.engine import metric_items

    now = now or timezone.now()
    today = timezone.localdate(now)
    shop_ids = shop_ids_for_user(user)
    start_of_today, _end = day_window(today, settings.TIME_ZONE)
    # The engine's items behind today's unanswered figure, limited to the conversations the
    # user may open (a team lead: their team's), oldest wait first.
    behind = metric_items(
        "unanswered_conversations", start=today, end=today + timedelta(days=1), shops=shop_ids, as_of=now
    ).queryset
    unanswered = (
        conversation_list_for_user(user)
        .filter(pk__in=behind.values("pk"))
        .annotate(first_customer_at=F("fact__start"))
        .select_related("shop", "customer", "assigned_agent")
        .order_by("first_customer_at", "id")[:UNANSWERED_LIST_LENGTH]
    )
    return SupervisorDashboard(
        day=today,
        today=_conversation_counts(shop_ids=shop_ids, day=today, now=now),
        yesterday=_conversation_counts(shop_ids=shop_ids, day=today - timedelta(days=1), now=now),
        messages=conversations.message_day_counts(shop_ids=shop_ids, day=today),
        orders=commerce.order_day_counts(shop_ids=shop_ids, day=today),
        aftersales_opened=commerce.aftersale_opened_count(shop_ids=shop_ids, first_day=today),
        reviews=commerce.review_counts(shop_ids=shop_ids, first_day=today),
        agents_online=presence.agents_online_count(shop_ids=shop_ids, at=now),
        agents_active=presence.agents_active_count(shop_ids=shop_ids),
        intake=intake_status(shop_ids=shop_ids, since=start_of_today),
        unanswered=list(unanswered),
    )


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    note: str = ""


@dataclass(frozen=True)
class FigureGroup:
    title: str
    figures: list[Figure]


def department_figures(*, user, role: str, now: datetime | None = None) -> list[FigureGroup]:
    """The counts a department user can act on, for their shops: logistics exceptions,
    review and after-sale signals for product, sales and after-sales for operations."""
    today = timezone.localdate(now or timezone.now())
    week_start = today - timedelta(days=DEPARTMENT_WINDOW_DAYS - 1)
    week = {"first_day": week_start, "days": DEPARTMENT_WINDOW_DAYS}
    shop_ids = shop_ids_for_user(user)
    if role == "logistics":
        today_counts = commerce.logistics_exception_counts(shop_ids=shop_ids, first_day=today)
        week_counts = commerce.logistics_exception_counts(shop_ids=shop_ids, **week)
        return [
            FigureGroup(
                _("Logistics exceptions"),
                [
                    Figure(_("Today"), sum(today_counts.values())),
                    Figure(_("Last 7 days"), sum(week_counts.values())),
                ],
            ),
            FigureGroup(
                _("Last 7 days, by status"),
                [Figure(LogisticsStatus(status).label, n) for status, n in week_counts.items()],
            ),
        ]
    if role == "product":
        reviews = commerce.review_counts(shop_ids=shop_ids, **week)
        kinds = commerce.aftersale_kind_counts(shop_ids=shop_ids, **week)
        return [
            FigureGroup(
                _("Reviews, last 7 days"),
                [
                    Figure(_("Bad reviews (1-2★)"), reviews.bad),
                    Figure(_("Neutral reviews (3★)"), reviews.neutral),
                    Figure(_("All reviews"), reviews.reviews),
                ],
            ),
            FigureGroup(
                _("After-sales opened, last 7 days, by kind"),
                [Figure(kind.label, kinds.get(kind.value, 0)) for kind in AfterSaleKind],
            ),
        ]
    if role == "operations":
        orders = commerce.order_day_counts(shop_ids=shop_ids, day=today)
        reviews = commerce.review_counts(shop_ids=shop_ids, first_day=today)
        return [
            FigureGroup(
                _("Today"),
                [
                    Figure(_("Orders"), orders.orders, _("%(paid)d paid") % {"paid": orders.paid}),
                    Figure(_("Order amount (¥)"), orders.amount),
                    Figure(_("Bad reviews (1-2★)"), reviews.bad),
                ],
            ),
            FigureGroup(_("Now"), [Figure(_("After-sales open"), commerce.aftersale_open_count(shop_ids=shop_ids))]),
        ]
    return []
