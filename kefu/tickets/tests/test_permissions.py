"""Who sees which tickets and who may do what: every role's forbidden case in the services.
(The API's forbidden cases are in test_api.py.)"""

import pytest

from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import TeamFactory
from kefu.core.errors import NotFound, PermissionDenied
from kefu.core.testing.factories import ShopFactory
from kefu.tickets.configuration import automation_rule_save, sla_policy_set, work_calendar_save
from kefu.tickets.models import TicketEvent
from kefu.tickets.permissions import tickets_visible_to
from kefu.tickets.selectors import department_sla_report
from kefu.tickets.services import ticket_assign, ticket_comment, ticket_create, ticket_transition, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shop, agent_user, other_agent_user, team_lead, logistics, wuliu, chanpin, s1_supervisor, make_user):
    """Tickets: 小美's (team 售前一组), 小丽's (no team), another team's, the logistics
    department's, and one of another shop."""
    other_team = TeamFactory(name="售后组")
    other_team_agent = make_user(Role.AGENT, username="xiaowang", shops=[shop], agent_shop=shop, team=other_team)
    make = lambda title, **kw: ticket_create(shop=kw.pop("shop", shop), type=kw.pop("type", "aftersale"),  # noqa: E731
                                             title=title, **kw)
    return {
        "mine": make("小美的", assignee=agent_user),
        "colleague": make("小丽的", assignee=other_agent_user),
        "other_team": make("售后组的", assignee=other_team_agent),
        "logistics": make("物流的", type="logistics", department=logistics),
        "other_shop": make("二号店的", shop=ShopFactory(ext_id="s9")),
    }


def _visible(user, world):
    ids = set(tickets_visible_to(user).values_list("pk", flat=True))
    return {name for name, ticket in world.items() if ticket.pk in ids}


def test_a_supervisor_sees_every_ticket_of_their_shops(world, s1_supervisor):
    assert _visible(s1_supervisor, world) == {"mine", "colleague", "other_team", "logistics"}


def test_an_unrestricted_supervisor_and_an_admin_see_every_shop(world, supervisor, admin_user):
    assert _visible(supervisor, world) == set(world)
    assert _visible(admin_user, world) == set(world)


def test_a_team_lead_sees_their_teams_tickets(world, team_lead):
    assert _visible(team_lead, world) == {"mine"}


def test_an_agent_sees_their_own_and_their_teams(world, agent_user, other_agent_user, team_lead):
    mine = world["mine"]
    ticket_assign(ticket=mine, assignee=team_lead, actor=team_lead)  # still the team's
    assert _visible(agent_user, world) == {"mine"}
    assert _visible(other_agent_user, world) == {"colleague"}


def test_a_department_sees_only_the_tickets_addressed_to_it(world, wuliu, chanpin, make_user, shop):
    assert _visible(wuliu, world) == {"logistics"}
    assert _visible(chanpin, world) == set()
    operations = make_user(Role.OPERATIONS, username="yunying", shops=[shop])
    assert _visible(operations, world) == set()


def test_qa_sees_no_ticket(world, qa_user):
    assert _visible(qa_user, world) == set()


# ---- doing -------------------------------------------------------------------------------


def test_hidden_tickets_answer_not_found_in_every_service(world, agent_user, wuliu, qa_user, chanpin):
    cases = [
        (agent_user, world["colleague"]), (agent_user, world["other_shop"]), (wuliu, world["mine"]),
        (qa_user, world["mine"]), (chanpin, world["logistics"]),
    ]
    for user, ticket in cases:
        with pytest.raises(NotFound):
            ticket_transition(ticket=ticket, to_status="in_progress", actor=user)
        with pytest.raises(NotFound):
            ticket_update(ticket=ticket, actor=user, title="改")
        with pytest.raises(NotFound):
            ticket_comment(ticket=ticket, actor=user, body="看看")
        with pytest.raises(NotFound):
            ticket_assign(ticket=ticket, assignee=user, actor=user)
    assert not TicketEvent.objects.exclude(kind="created").exists()


def test_who_may_open_tickets(shop, wuliu, qa_user, agent_user, other_shop):
    for user in (wuliu, qa_user):
        with pytest.raises(PermissionDenied):
            ticket_create(shop=shop, type="complaint", title="投诉", actor=user)
    with pytest.raises(PermissionDenied):  # 小美 works for s1 only
        agent_user.shops.set([shop])
        agent_user._kefu_shop_ids = False
        ticket_create(shop=other_shop, type="complaint", title="投诉", actor=agent_user)


def test_an_agent_may_take_a_ticket_but_not_hand_it_to_others(world, agent_user, other_agent_user, team_lead):
    with pytest.raises(PermissionDenied):
        ticket_assign(ticket=world["mine"], assignee=other_agent_user, actor=agent_user)
    ticket_assign(ticket=world["mine"], assignee=team_lead, actor=team_lead)
    ticket = ticket_assign(ticket=world["mine"], assignee=agent_user, actor=agent_user)
    assert ticket.assignee == agent_user


def test_a_department_member_hands_over_only_inside_the_department(world, wuliu, make_user, shop, logistics,
                                                                  agent_user):
    colleague = make_user(Role.LOGISTICS, username="wuliu2", shops=[shop])
    logistics.members.add(colleague)
    ticket = ticket_assign(ticket=world["logistics"], assignee=colleague, actor=wuliu)
    assert ticket.assignee == colleague
    with pytest.raises(PermissionDenied):
        ticket_assign(ticket=world["logistics"], assignee=agent_user, actor=wuliu)


def test_a_department_answers_and_resolves_its_ticket(world, wuliu):
    ticket = ticket_transition(ticket=world["logistics"], to_status="in_progress", actor=wuliu)
    ticket_comment(ticket=ticket, actor=wuliu, body="快递已找回")
    ticket = ticket_transition(ticket=ticket, to_status="resolved", actor=wuliu)
    assert ticket.status == "resolved"


def test_configuration_needs_the_settings_permission(agent_user, team_lead, wuliu, s1_supervisor):
    for user in (agent_user, team_lead, wuliu):
        with pytest.raises(PermissionDenied):
            sla_policy_set(actor=user, type="complaint", priority="high", first_response_minutes=30,
                           resolution_minutes=240)
        with pytest.raises(PermissionDenied):
            work_calendar_save(actor=user, name="x")
        with pytest.raises(PermissionDenied):
            automation_rule_save(actor=user, name="x", trigger="created", actions=[{"action": "raise_priority"}])
    sla_policy_set(actor=s1_supervisor, type="complaint", priority="high", first_response_minutes=30,
                   resolution_minutes=240)


def test_the_report_is_for_supervisors_and_leads(world, agent_user, wuliu, s1_supervisor):
    from django.utils import timezone

    start, end = timezone.now() - timezone.timedelta(days=1), timezone.now() + timezone.timedelta(days=1)
    assert department_sla_report(user=agent_user, start=start, end=end) == []
    assert department_sla_report(user=wuliu, start=start, end=end) == []
    rows = department_sla_report(user=s1_supervisor, start=start, end=end)
    assert [(r.group, r.key, r.tickets, r.open) for r in rows if r.group == "department"] == [
        ("department", "logistics", 1, 1)
    ]
