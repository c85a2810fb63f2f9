"""The default word lists on real JD customer-service chats (agent turns, read in place).

Real agents rarely break these rules, so hits on the sample are mostly false positives:
the ceilings here hold the counts measured in docs/text-accuracy.md.
"""

import pytest

from kefu.text.lexicon import rule_matcher
from kefu.text.tests.datasets import load_jddc_turns


@pytest.fixture(scope="module")
def agent_turns():
    return load_jddc_turns("agent")


def _turns_with_hits(rule, turns):
    matcher = rule_matcher(rule)
    return [t for t in turns if matcher.search(t)]


def test_the_sample_is_the_documented_one(agent_turns):
    assert len(agent_turns) == 4516


@pytest.mark.parametrize("rule", ["rude_language", "review_bribery", "absolute_claim"])
def test_no_findings_on_ordinary_agent_replies(agent_turns, rule):
    assert _turns_with_hits(rule, agent_turns) == []


def test_off_platform_hits_stay_rare_and_skip_wechat_pay(agent_turns):
    hits = _turns_with_hits("off_platform", agent_turns)

    assert len(hits) <= 15
    assert not [t for t in hits if "微信支付" in t or "微信零钱" in t]


def test_credential_requests_are_agents_asking_for_the_sms_code(agent_turns):
    hits = _turns_with_hits("credential_request", agent_turns)

    assert 1 <= len(hits) <= 15
    assert all("验证码" in t for t in hits)


def test_most_agent_replies_greet_or_address_the_customer(agent_turns):
    assert len(_turns_with_hits("greeting", agent_turns)) / len(agent_turns) > 0.25
