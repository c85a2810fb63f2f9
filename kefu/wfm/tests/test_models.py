"""Roster models: the database keeps the invariants the services rely on."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.accounts.tests.factories import AgentFactory
from kefu.core.testing.factories import ShopFactory
from kefu.wfm.models import RequestKind, Roster, RosterShift, RosterStatus, ShiftRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift():
    shop = ShopFactory()
    roster = Roster.objects.create(shop=shop, week_start=date(2026, 12, 7))
    start = timezone.now()
    return RosterShift.objects.create(roster=roster, agent=AgentFactory(shop=shop), shift_type="PT", start=start,
                                      end=start + timedelta(hours=4), paid_minutes=240)


def test_a_shift_ends_after_it_starts(shift):
    with pytest.raises(IntegrityError), transaction.atomic():
        RosterShift.objects.create(roster=shift.roster, shift_type="PT", start=shift.start, end=shift.start,
                                   paid_minutes=0)


def test_a_swap_names_a_colleague_and_a_leave_does_not(shift):
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftRequest.objects.create(kind=RequestKind.SWAP, requester=shift.agent, shift=shift)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftRequest.objects.create(kind=RequestKind.LEAVE, requester=shift.agent, shift=shift,
                                    target_agent=AgentFactory(shop=shift.roster.shop))


def test_one_pending_request_per_shift(shift):
    ShiftRequest.objects.create(kind=RequestKind.LEAVE, requester=shift.agent, shift=shift)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftRequest.objects.create(kind=RequestKind.LEAVE, requester=shift.agent, shift=shift)


def test_one_published_roster_per_shop_and_week(shift):
    roster = shift.roster
    roster.status = RosterStatus.PUBLISHED
    roster.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Roster.objects.create(shop=roster.shop, week_start=roster.week_start, status=RosterStatus.PUBLISHED)
    assert Roster.objects.create(shop=roster.shop, week_start=roster.week_start).status == RosterStatus.DRAFT
