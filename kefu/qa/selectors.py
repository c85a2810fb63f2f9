"""Reads of quality inspection for pages and reports: the rules in force with their
precision and history, findings counted by rule, the worst conversations, one
inspection with its messages.

Figures that are metrics (average score, findings per 100 conversations) come from the
metric engine (``qa_figures``); what the engine does not define (counts by rule, the
precision of a rule, lists) is counted here over ``Finding``, with the engine's
population: a period's inspections by their conversation's first customer message, per
agent by the last replier (``Inspection.agent``)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from kefu.accounts.permissions import conversation_get_for_user, conversation_list_for_user, shops_for_user
from kefu.conversations.selectors import conversation_messages
from kefu.core.errors import NotFound
from kefu.qa.defaults import DEFAULT_RULES
from kefu.qa.models import Finding, FindingStatus, Inspection, Rule
from kefu.qa.rules import WORD_LISTS, rules_current

QA_KEYS = ("qa_score_avg", "qa_findings_per_100")
BUILTIN_ORDER = [spec["key"] for spec in DEFAULT_RULES]
WORST_LIMIT = 10


# ---- rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleLine:
    """A rule in force for a shop, with how its reviewed findings were judged."""

    rule: Rule
    confirmed: int
    rejected: int
    pending: int

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.rejected

    @property
    def precision(self) -> float | None:
        """Confirmed ÷ (confirmed + rejected); None before any review."""
        return self.confirmed / self.reviewed if self.reviewed else None


def rule_shops_for_user(user) -> list:
    return list(shops_for_user(user).order_by("name", "pk"))


def rule_shop_get_for_user(*, user, shop_id=None):
    """The shop whose rules a page shows: the one asked for (a shop not the user's is the
    same 404 as a missing one), else the user's first; None when the user has no shop."""
    shops = rule_shops_for_user(user)
    if shop_id in (None, ""):
        return shops[0] if shops else None
    shop = next((s for s in shops if str(s.pk) == str(shop_id)), None)
    if shop is None:
        raise NotFound()
    return shop


def rule_lines(shop) -> list[RuleLine]:
    """The rules in force for ``shop`` with the review decisions on their findings in the
    shop (every version of the rule: precision is the rule's track record)."""
    rules = rules_current(shop)
    decided: dict[str, dict[str, int]] = defaultdict(dict)
    for key, status, n in (
        Finding.objects.filter(inspection__shop=shop, rule_key__in=[r.key for r in rules])
        .values_list("rule_key", "status").annotate(n=Count("pk")).order_by()
    ):
        decided[key][status] = n
    return [
        RuleLine(rule, decided[rule.key].get(FindingStatus.CONFIRMED, 0), decided[rule.key].get(FindingStatus.REJECTED, 0),
                 decided[rule.key].get(FindingStatus.PENDING, 0))
        for rule in rules
    ]


def rule_get(*, shop, key: str) -> Rule:
    """The version of rule ``key`` in force for ``shop`` (NotFound for an unknown key)."""
    rule = next((r for r in rules_current(shop) if r.key == key), None)
    if rule is None:
        raise NotFound()
    return rule


def rule_names(shop=None) -> dict[str, str]:
    """Rule key → name, as the shop calls them now (every shop: the defaults' names)."""
    return {rule.key: rule.name for rule in rules_current(shop)}


@dataclass(frozen=True)
class Change:
    """One parameter of a rule version against the version before it."""

    name: str
    before: object = None
    after: object = None
    added: tuple = ()  # word lists: the words added ...
    removed: tuple = ()  # ... and removed

    @property
    def is_list(self) -> bool:
        return self.name in WORD_LISTS


@dataclass
class Version:
    rule: Rule
    changes: list[Change] = field(default_factory=list)


FIELDS = ("name", "target", "severity", "enabled")


def rule_diff(before: Rule | None, after: Rule) -> list[Change]:
    """What changed from one version to the next: the rule's fields, then its parameters
    (word lists as words added and removed)."""
    if before is None:
        return []
    changes = [Change(name, getattr(before, name), getattr(after, name))
               for name in FIELDS if getattr(before, name) != getattr(after, name)]
    old, new = before.params or {}, after.params or {}
    for name in sorted(set(old) | set(new), key=_param_order):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if name in WORD_LISTS:
            a_list, b_list = list(a or []), list(b or [])
            changes.append(Change(name, added=tuple(w for w in b_list if w not in a_list),
                                  removed=tuple(w for w in a_list if w not in b_list)))
        else:
            changes.append(Change(name, a, b))
    return changes


def _param_order(name: str) -> tuple[int, str]:
    order = [*WORD_LISTS, "pattern", "threshold_seconds", "major_above_seconds", "context_window",
             "negative_threshold"]
    return (order.index(name), name) if name in order else (len(order), name)


def rule_history(*, shop, key: str) -> list[Version]:
    """The versions of rule ``key`` that were in force for ``shop`` — the defaults', then the
    shop's own — newest first, each with its changes against the one before."""
    versions = list(
        Rule.objects.filter(Q(shop__isnull=True) | Q(shop=shop), key=key)
        .select_related("created_by").order_by("version")
    )
    if not versions:
        raise NotFound()
    out, previous = [], None
    for rule in versions:
        out.append(Version(rule, rule_diff(previous, rule)))
        previous = rule
    return out[::-1]


# ---- findings and inspections of a period ----------------------------------------------


GROUP_FIELDS = {"none": None, "shop": "shop_id", "agent": "agent_id", "team": "agent__team_id"}


def inspections_of_period(*, shops, start: date, end: date) -> QuerySet[Inspection]:
    """The inspections of the conversations belonging to ``[start, end)`` (shop days)."""
    return Inspection.objects.filter(shop__in=list(shops), day__gte=start, day__lt=end)


@dataclass
class RuleCounts:
    """Findings by rule per group (an agent, a team, a shop, or the whole scope: ``None``)."""

    inspected: dict = field(default_factory=dict)  # group id → inspected conversations
    findings: dict = field(default_factory=dict)  # group id → {rule key: findings}

    def per_100(self, group, key: str) -> float | None:
        inspected = self.inspected.get(group)
        return self.findings.get(group, {}).get(key, 0) * 100 / inspected if inspected else None

    def rule_keys(self) -> list[str]:
        """The rules with a finding in some group, in the rule set's order."""
        keys = {key for counts in self.findings.values() for key in counts}
        return sorted(keys, key=lambda k: (BUILTIN_ORDER.index(k) if k in BUILTIN_ORDER else len(BUILTIN_ORDER), k))


def findings_by_rule(*, shops, start: date, end: date, by: str = "none") -> RuleCounts:
    """Inspected conversations and findings by rule of the period, grouped ``by`` "none",
    "shop", "agent" or "team" (agents and teams as the engine groups them: the
    conversation's last replier, and that agent's team)."""
    group = GROUP_FIELDS[by]
    inspections = inspections_of_period(shops=shops, start=start, end=end)
    if by in ("agent", "team"):
        inspections = inspections.filter(**{f"{group.removesuffix('_id')}__isnull": False})
    counts = RuleCounts()
    if group is None:
        counts.inspected[None] = inspections.count()
        rows = Finding.objects.filter(inspection__in=inspections).values_list("rule_key").annotate(n=Count("pk"))
        counts.findings[None] = {key: n for key, n in rows.order_by()}
        return counts
    for group_id, n in inspections.values_list(group).annotate(n=Count("pk")).order_by():
        counts.inspected[group_id] = n
    rows = (Finding.objects.filter(inspection__in=inspections)
            .values_list(f"inspection__{group}", "rule_key").annotate(n=Count("pk")).order_by())
    for group_id, key, n in rows:
        counts.findings.setdefault(group_id, {})[key] = n
    return counts


def flagged_count(*, shops, start: date, end: date) -> int:
    return inspections_of_period(shops=shops, start=start, end=end).filter(flagged=True).count()


def worst_inspections(*, user, shops, start: date, end: date, limit: int = WORST_LIMIT) -> list[Inspection]:
    """The lowest-scored inspections of the period among the conversations the user may
    see, each with its findings (``finding_list``); ties: more findings first, then latest."""
    inspections = (
        inspections_of_period(shops=shops, start=start, end=end)
        .filter(conversation__in=conversation_list_for_user(user), findings__isnull=False)
        .annotate(finding_count=Count("findings"))
        .select_related("conversation", "agent", "shop")
        .order_by("score", "-finding_count", "-start", "-pk")[:limit]
    )
    inspections = list(inspections)
    by_inspection = defaultdict(list)
    for finding in Finding.objects.filter(inspection__in=inspections).select_related("rule").order_by("id"):
        by_inspection[finding.inspection_id].append(finding)
    for inspection in inspections:
        inspection.finding_list = by_inspection[inspection.pk]
    return inspections


# ---- one inspection --------------------------------------------------------------------


@dataclass
class InspectionView:
    conversation: object
    inspection: Inspection | None
    findings: list[Finding]
    messages: list
    findings_by_message: dict  # message ext id → findings naming it


def inspection_get_for_user(*, user, conversation_id: int) -> InspectionView:
    """A conversation the user may see, its inspection (None: not inspected yet), the
    findings with their rule versions, and its messages."""
    conversation = conversation_get_for_user(user=user, conversation_id=conversation_id)
    inspection = Inspection.objects.filter(conversation=conversation).select_related("agent").first()
    findings = list(inspection.findings.select_related("rule", "agent").order_by("id")) if inspection else []
    by_message = defaultdict(list)
    for finding in findings:
        for message_id in finding.message_ids:
            by_message[message_id].append(finding)
    messages = list(conversation_messages(conversation=conversation))
    return InspectionView(conversation, inspection, findings, messages, dict(by_message))


# ---- periods -----------------------------------------------------------------------------


def weeks_ending(last_day: date, count: int) -> list[date]:
    """The Mondays of the ``count`` weeks up to the one containing ``last_day``, oldest first."""
    monday = last_day - timedelta(days=last_day.weekday())
    return [monday - timedelta(days=7 * n) for n in range(count - 1, -1, -1)]


# ---- the QA report -----------------------------------------------------------------------


def qa_figures(*, shops, start, end, by: str = "none", agents=None):
    """The engine's QA metrics (``qa_score_avg``, ``qa_findings_per_100``) of a period."""
    from kefu.metrics.engine import metrics_compute

    return metrics_compute(start=start, end=end, shops=[getattr(s, "pk", s) for s in shops], by=by,
                           keys=list(QA_KEYS), agents=agents)


@dataclass
class GroupLine:
    """A line of the report's table: an agent, a team or a shop (or the total)."""

    key: str  # agent source id, team name, shop source id; "" for the total
    label: str
    metrics: dict
    inspected: int
    per_rule: list  # (rule key, findings per 100 conversations), in the report's rule order
    note: str = ""  # the agent's team


@dataclass
class RuleTotal:
    key: str
    name: str
    findings: int
    per_100: float | None


@dataclass
class AgentTrend:
    """An agent's average score week by week, and before / after a chosen date."""

    agent: object
    weekly: list  # one score (or None) per week of ``QAReport.weeks``
    before: float | None = None
    after: float | None = None

    @property
    def week_change(self) -> float | None:
        last, previous = self.weekly[-1], self.weekly[-2] if len(self.weekly) > 1 else None
        return None if last is None or previous is None else last - previous

    @property
    def since_change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass
class QAReport:
    start: date
    end: date  # exclusive
    summary: dict
    previous: dict
    inspected: int
    flagged: int
    trend: list  # MetricRow by day or week
    by: str
    groups: list[GroupLine]
    total: GroupLine
    rule_keys: list[str]
    rules: list[RuleTotal]
    worst: list
    weeks: list[date]
    agents: list[AgentTrend]
    since: date | None
    since_window: tuple | None  # (before start, since, after end)


TREND_WEEKS = 6
SINCE_BEFORE_DAYS = 28


def qa_report(*, user, shops, start: date, end: date, grain: str = "day", by: str = "agent",
              since: date | None = None, today: date | None = None) -> QAReport:
    """Everything the QA report page shows for ``shops`` over ``[start, end)``."""
    shops = list(shops)
    length = end - start
    summary = qa_figures(shops=shops, start=start, end=end)[0].metrics
    previous = qa_figures(shops=shops, start=start - length, end=start)[0].metrics
    totals = findings_by_rule(shops=shops, start=start, end=end)
    counts = findings_by_rule(shops=shops, start=start, end=end, by=by)
    names = rule_names(shops[0] if len(shops) == 1 else None)
    rule_keys = totals.rule_keys()
    groups = []
    for row in qa_figures(shops=shops, start=start, end=end, by=by):
        thing = {"agent": row.agent, "team": row.team, "shop": row.shop}[by]
        groups.append(GroupLine(
            key=row.group[next(iter(row.group))], label=getattr(thing, "name", "") or row.group[next(iter(row.group))],
            metrics=row.metrics, inspected=counts.inspected.get(thing.pk, 0),
            per_rule=[(key, counts.per_100(thing.pk, key)) for key in rule_keys],
            note=(row.team.name if by == "agent" and row.team is not None else ""),
        ))
    total = GroupLine("", "", summary, totals.inspected.get(None, 0),
                      [(key, totals.per_100(None, key)) for key in rule_keys])
    rules = [RuleTotal(key, names.get(key, key), totals.findings.get(None, {}).get(key, 0), totals.per_100(None, key))
             for key in rule_keys]
    today = today or end - timedelta(days=1)
    weeks = weeks_ending(end - timedelta(days=1), TREND_WEEKS)
    agents, since_window = _agent_trends(shops=shops, weeks=weeks, since=since, today=today)
    return QAReport(
        start=start, end=end, summary=summary, previous=previous, inspected=total.inspected,
        flagged=flagged_count(shops=shops, start=start, end=end),
        trend=qa_figures(shops=shops, start=start, end=end, by=grain), by=by, groups=groups, total=total,
        rule_keys=rule_keys, rules=rules, worst=worst_inspections(user=user, shops=shops, start=start, end=end),
        weeks=weeks, agents=agents, since=since, since_window=since_window,
    )


def _agent_trends(*, shops, weeks: list[date], since: date | None, today: date):
    scores: dict[int, dict] = defaultdict(dict)
    agents = {}
    for index, monday in enumerate(weeks):
        for row in qa_figures(shops=shops, start=monday, end=monday + timedelta(days=7), by="agent"):
            agents[row.agent.pk] = row.agent
            scores[row.agent.pk][index] = row.metrics["qa_score_avg"]
    before, after, window = {}, {}, None
    if since is not None:
        window = (since - timedelta(days=SINCE_BEFORE_DAYS), since, max(today + timedelta(days=1), since + timedelta(days=1)))
        for target, (a, b) in ((before, window[:2]), (after, window[1:])):
            for row in qa_figures(shops=shops, start=a, end=b, by="agent"):
                agents.setdefault(row.agent.pk, row.agent)
                target[row.agent.pk] = row.metrics["qa_score_avg"]
    trends = [
        AgentTrend(agent, [scores[pk].get(i) for i in range(len(weeks))], before.get(pk), after.get(pk))
        for pk, agent in agents.items()
    ]
    trends.sort(key=lambda t: (t.agent.name, t.agent.ext_id))
    return trends, window
