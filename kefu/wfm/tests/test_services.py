"""Roster services: planning a week from the shop's own conversations, hand edits with the
rule check, publishing (agents notified), leave and swap requests with the re-check."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone, translation

from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import AgentFactory, UserFactory
from kefu.conversations.models import Conversation
from kefu.core.errors import Conflict, PermissionDenied, ValidationError
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import ConversationFactory, CustomerFactory, ShopFactory
from kefu.notify.models import Notification
from kefu.wfm.models import RequestStatus, Roster, RosterStatus
from kefu.wfm.selectors import next_monday, roster_check, roster_violations, shop_tz, week_bounds
from kefu.wfm.services import (
    roster_generate,
    roster_publish,
    roster_shift_assign,
    roster_shift_delete,
    roster_shift_move,
    schedule_rules_save,
    shift_request_create,
    shift_request_decide,
)

pytestmark = pytest.mark.django_db
TIME_LIMIT = 5.0
PARAMS = {"target_sl": 0.8, "target_seconds": 30, "aht": 600, "concurrency": 3, "shrinkage": 0.2,
          "max_occupancy": 0.85}


def history_create(shop, *, days: int = 21, per_hour: int = 2, open_hours=(9, 21)) -> None:
    """``days`` days before now of ``per_hour`` chats an hour in opening hours (10 minutes each)."""
    tz = shop_tz(shop)
    today = timezone.now().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    customer = CustomerFactory(shop=shop)
    rows = []
    for day in range(days, 0, -1):
        midnight = today - timedelta(days=day)
        for hour in range(*open_hours):
            for k in range(per_hour):
                started = midnight + timedelta(hours=hour, minutes=k * 60 // per_hour + 3)
                rows.append(ConversationFactory.build(shop=shop, customer=customer, started_at=started,
                                                      ended_at=started + timedelta(minutes=10),
                                                      imported_at=started, updated_at=started))
    Conversation.objects.bulk_create(rows)


def world_create(*, agents: int = 8):
    """A shop with three weeks of history, ``agents`` agents with logins, a supervisor."""
    shop = ShopFactory(ext_id="wfm-shop", name="排班店")
    history_create(shop)
    supervisor = UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR], shops=[shop])
    people = []
    for i in range(agents):
        user = UserFactory(username=f"agent{i}", display_name=f"客服{i}", roles=[Role.AGENT], shops=[shop])
        people.append(AgentFactory(shop=shop, user=user, name=f"客服{i}"))
    return shop, supervisor, people


@pytest.fixture(autouse=True)
def _english():
    # Messages are matched in English; the site's default language is Chinese.
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return world_create()


@pytest.fixture
def roster(world):
    shop, supervisor, _agents = world
    return roster_generate(shop=shop, week_start=next_monday(shop=shop), promotions=[], params=PARAMS,
                           actor=supervisor, time_limit=TIME_LIMIT)


def test_generate_stores_the_week_its_requirement_and_named_shifts(world, roster):
    shop, _supervisor, agents = world
    assert roster.status == RosterStatus.DRAFT
    assert roster.requirements.count() == 7 * 48
    opening = roster.requirements.filter(agents_required__gt=0)
    local_hours = {r.start.astimezone(shop_tz(shop)).hour for r in opening}
    assert local_hours == set(range(9, 21))  # open 09:00-21:00 in the history, closed at night
    assert roster.shifts.exclude(agent=None).exists()
    assert set(roster.shifts.exclude(agent=None).values_list("agent__shop", flat=True)) == {shop.pk}
    assert roster.shortfall == 0 and roster.unassigned == 0
    assert roster_check(roster=roster).shortfall == 0
    assert roster_violations(roster) == []
    assert AuditEntry.objects.filter(action="wfm.roster_generated", target_id=str(roster.pk)).exists()


def test_a_promotion_multiplies_the_requirement_of_its_window(world):
    shop, supervisor, _agents = world
    monday = next_monday(shop=shop)
    start, _end = week_bounds(shop=shop, week_start=monday)
    promo = {"name": "双11 夜间高峰", "start": start + timedelta(days=2, hours=18), "end": start + timedelta(days=2, hours=21),
             "uplift": 8.0}
    roster = roster_generate(shop=shop, week_start=monday, promotions=[promo], params=PARAMS, actor=supervisor,
                             time_limit=TIME_LIMIT)
    inside = roster.requirements.get(start=promo["start"] + timedelta(hours=1))
    normal = roster.requirements.get(start=promo["start"] + timedelta(days=-1, hours=1))
    assert inside.volume == pytest.approx(8 * normal.volume, rel=0.01)
    assert inside.agents_required > normal.agents_required
    assert roster.forecast_params["promotions"][0]["uplift"] == 8.0


def test_too_little_history_is_a_clear_error():
    shop = ShopFactory(ext_id="new-shop")
    history_create(shop, days=3)
    AgentFactory(shop=shop)
    with pytest.raises(ValidationError, match="Too little history"):
        roster_generate(shop=shop, week_start=next_monday(shop=shop), promotions=[], params=PARAMS, actor=None)


def test_a_week_must_start_on_monday(world):
    shop, supervisor, _agents = world
    with pytest.raises(ValidationError, match="Monday"):
        roster_generate(shop=shop, week_start=next_monday(shop=shop) + timedelta(days=1), promotions=[],
                        params=PARAMS, actor=supervisor)


def test_only_managers_of_the_shop_generate(world):
    shop, _supervisor, agents = world
    with pytest.raises(PermissionDenied):
        roster_generate(shop=shop, week_start=next_monday(shop=shop), promotions=[], params=PARAMS,
                        actor=agents[0].user)
    outsider = UserFactory(roles=[Role.SUPERVISOR], shops=[ShopFactory()])
    with pytest.raises(PermissionDenied):
        roster_generate(shop=shop, week_start=next_monday(shop=shop), promotions=[], params=PARAMS, actor=outsider)


def test_deleting_a_shift_shows_the_coverage_shortfall(world, roster):
    _shop, supervisor, _agents = world
    shift = roster.shifts.exclude(agent=None).first()
    violations = roster_shift_delete(shift=shift, actor=supervisor)
    assert [v.kind for v in violations] and {v.kind for v in violations} == {"coverage"}
    assert roster_check(roster=roster).shortfall > 0


def test_moving_a_shift_onto_the_same_agents_next_shift_breaks_the_rest_rule(world, roster):
    _shop, supervisor, _agents = world
    agent_shifts = list(roster.shifts.exclude(agent=None).order_by("agent", "start"))
    first, second = next((a, b) for a, b in zip(agent_shifts, agent_shifts[1:]) if a.agent_id == b.agent_id)
    violations = roster_shift_move(shift=first, start=second.start - timedelta(hours=3), actor=supervisor)
    rest = [v for v in violations if v.kind == "min_rest"]
    assert rest and rest[0].agent_id == first.agent_id


def test_giving_one_agent_every_shift_breaks_the_hours_and_days_rules(world, roster):
    _shop, supervisor, agents = world
    for shift in roster.shifts.exclude(agent=agents[0]):
        roster_shift_assign(shift=shift, agent=agents[0], actor=supervisor)
    kinds = {v.kind for v in roster_violations(roster) if v.agent_id == agents[0].pk}
    assert {"max_hours_week", "days_off", "consecutive_days", "min_rest"} <= kinds


def test_a_move_off_the_grid_or_out_of_the_week_is_refused(world, roster):
    _shop, supervisor, _agents = world
    shift = roster.shifts.first()
    with pytest.raises(ValidationError, match="grid"):
        roster_shift_move(shift=shift, start=shift.start + timedelta(minutes=7), actor=supervisor)
    with pytest.raises(ValidationError, match="inside the roster's week"):
        roster_shift_move(shift=shift, start=shift.start - timedelta(days=8), actor=supervisor)


def test_publishing_notifies_each_agent_with_shifts_and_supersedes_the_old_roster(world, roster):
    shop, supervisor, agents = world

    with TestCase.captureOnCommitCallbacks(execute=True):
        roster_publish(roster=roster, actor=supervisor)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED and roster.published_at
    working = set(roster.shifts.exclude(agent=None).values_list("agent__user", flat=True))
    told = set(Notification.objects.filter(event="wfm.roster_published").values_list("recipient", flat=True))
    assert told == working and told
    assert Notification.objects.filter(event="wfm.roster_published").first().link.endswith("/wfm/my/")
    newer = Roster.objects.create(shop=shop, week_start=roster.week_start, rules=roster.rules)
    roster_publish(roster=newer, actor=supervisor)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.SUPERSEDED
    with pytest.raises(Conflict):
        roster_publish(roster=roster, actor=supervisor)


def _published(world, roster):
    roster_publish(roster=roster, actor=world[1])
    return roster


def test_an_agent_asks_only_about_their_own_published_shift(world, roster):
    _shop, _supervisor, agents = world
    shift = roster.shifts.exclude(agent=None).first()
    owner = next(a for a in agents if a.pk == shift.agent_id)
    other = next(a for a in agents if a.pk != shift.agent_id)
    with pytest.raises(PermissionDenied):  # still a draft
        shift_request_create(actor=owner.user, shift=shift, kind="leave")
    _published(world, roster)
    with pytest.raises(PermissionDenied):
        shift_request_create(actor=other.user, shift=shift, kind="leave")
    with pytest.raises(ValidationError, match="colleague"):
        shift_request_create(actor=owner.user, shift=shift, kind="swap")
    created = shift_request_create(actor=owner.user, shift=shift, kind="swap", target_agent=other, reason="家里有事")
    assert created.status == RequestStatus.PENDING
    with pytest.raises(Conflict):
        shift_request_create(actor=owner.user, shift=shift, kind="leave")


def _swap_candidate(roster, agents):
    """A shift and a colleague who can take it without breaking a rule (free that day and around it)."""
    for shift in roster.shifts.exclude(agent=None).order_by("start"):
        for colleague in agents:
            if colleague.pk == shift.agent_id:
                continue
            theirs = roster.shifts.filter(agent=colleague)
            day = shift.start.date()
            if not theirs.filter(start__date__gte=day - timedelta(days=1), start__date__lte=day + timedelta(days=1)).exists():
                return shift, colleague
    raise AssertionError("no swap candidate in the roster")


def test_approving_a_swap_moves_the_shift_to_the_colleague_and_tells_both(world, roster):
    _shop, supervisor, agents = world
    _published(world, roster)
    shift, colleague = _swap_candidate(roster, agents)
    owner = shift.agent
    request = shift_request_create(actor=owner.user, shift=shift, kind="swap", target_agent=colleague)
    with TestCase.captureOnCommitCallbacks(execute=True):
        decided = shift_request_decide(shift_request=request, approve=True, actor=supervisor)
    shift.refresh_from_db()
    assert decided.status == RequestStatus.APPROVED and shift.agent_id == colleague.pk
    assert decided.check_result["labour"] == [] and decided.check_result["coverage_lowered"] is False
    told = set(Notification.objects.filter(event="wfm.request_decided").values_list("recipient", flat=True))
    assert told == {owner.user_id, colleague.user_id}


def test_a_swap_that_breaks_a_labour_rule_is_refused(world, roster):
    _shop, supervisor, agents = world
    _published(world, roster)
    # The colleague already works a shift overlapping this one: too little rest.
    shifts = list(roster.shifts.exclude(agent=None).order_by("start"))
    shift = next(s for s in shifts if any(o.agent_id != s.agent_id and o.start < s.end and s.start < o.end
                                           for o in shifts))
    colleague = next(o.agent for o in shifts if o.agent_id != shift.agent_id and o.start < shift.end
                     and shift.start < o.end)
    request = shift_request_create(actor=shift.agent.user, shift=shift, kind="swap", target_agent=colleague)
    with pytest.raises(ValidationError, match="labour rule"):
        shift_request_decide(shift_request=request, approve=True, actor=supervisor)
    request.refresh_from_db()
    shift.refresh_from_db()
    assert request.status == RequestStatus.PENDING and shift.agent_id != colleague.pk


def test_approved_leave_unassigns_the_shift_and_warns_of_lower_coverage(world, roster):
    _shop, supervisor, _agents = world
    _published(world, roster)
    check = roster_check(roster=roster)
    tight = {s for s, r, n in zip(check.starts, check.required, check.scheduled) if r and n <= r}
    shift = next(s for s in roster.shifts.exclude(agent=None).filter(breaks=[]) if s.start in tight)
    request = shift_request_create(actor=shift.agent.user, shift=shift, kind="leave", reason="看病")
    decided = shift_request_decide(shift_request=request, approve=True, actor=supervisor)
    shift.refresh_from_db()
    assert shift.agent_id is None
    assert decided.check_result["coverage_lowered"] is True
    assert decided.check_result["shortfall_after"] > decided.check_result["shortfall_before"]


def test_an_agent_cannot_decide_and_a_rejection_changes_nothing(world, roster):
    _shop, supervisor, agents = world
    _published(world, roster)
    shift = roster.shifts.exclude(agent=None).first()
    request = shift_request_create(actor=shift.agent.user, shift=shift, kind="leave")
    with pytest.raises(PermissionDenied):
        shift_request_decide(shift_request=request, approve=True, actor=shift.agent.user)
    decided = shift_request_decide(shift_request=request, approve=False, actor=supervisor)
    shift.refresh_from_db()
    assert decided.status == RequestStatus.REJECTED and shift.agent_id is not None
    with pytest.raises(Conflict):
        shift_request_decide(shift_request=request, approve=True, actor=supervisor)


def test_rules_are_validated_and_saved_per_shop(world):
    shop, supervisor, _agents = world
    with pytest.raises(ValidationError, match="shift_types"):
        schedule_rules_save(shop=shop, text='{"shift_types": []}', actor=supervisor)
    with pytest.raises(ValidationError, match="not valid JSON"):
        schedule_rules_save(shop=shop, text="{", actor=supervisor)
    saved = schedule_rules_save(shop=shop, text='{"shift_types": [{"name": "D", "length_minutes": 480, '
                                                '"start_every_minutes": 60}]}', actor=supervisor)
    assert saved.rules["shift_types"][0]["name"] == "D"
