"""Rules as data: the defaults of qa.md, versions, validation."""

import pytest

from kefu.core.errors import ValidationError
from kefu.qa.defaults import DEFAULT_RULES
from kefu.qa.models import Rule
from kefu.qa.rules import rule_save, rule_validate, rules_current

pytestmark = pytest.mark.django_db


def test_every_shop_starts_with_the_rules_of_qa_md(shop):
    rules = rules_current(shop)
    assert [r.key for r in rules] == [spec["key"] for spec in DEFAULT_RULES]
    assert all(r.version == 1 and r.shop is None for r in rules)
    rules_current(shop)
    assert Rule.objects.count() == len(DEFAULT_RULES)  # idempotent


def test_an_edit_is_a_new_version_of_the_shop_only(shop, other_shop, supervisor):
    current = {r.key: r for r in rules_current(shop)}["absolute_claim"]
    draft = {"key": "absolute_claim", "name": current.name, "kind": current.kind, "target": current.target,
             "severity": "major", "params": dict(current.params, words="最好，第一\n顶级"), "enabled": True}
    saved = rule_save(shop, draft, actor=supervisor, note="升级为严重")
    assert saved.version == 2 and saved.params["words"] == ["最好", "第一", "顶级"]
    assert {r.key: r for r in rules_current(shop)}["absolute_claim"] == saved
    assert {r.key: r for r in rules_current(other_shop)}["absolute_claim"] == current
    assert Rule.objects.get(pk=current.pk).severity == "minor"  # versions never change


@pytest.mark.parametrize("draft, field", [
    ({"key": "Bad Key"}, "key"),
    ({"key": "x1", "name": ""}, "name"),
    ({"key": "x1", "name": "n", "kind": "keyword", "target": "human_replies", "severity": "fatal"}, "severity"),
    ({"key": "x1", "name": "n", "kind": "keyword", "target": "human_replies", "severity": "minor", "params": {}},
     "words"),
    ({"key": "x1", "name": "n", "kind": "regex", "target": "human_replies", "severity": "minor",
      "params": {"pattern": "(unclosed"}}, "pattern"),
])
def test_bad_rules_are_refused_with_the_field(draft, field):
    with pytest.raises(ValidationError) as error:
        rule_validate(draft)
    assert error.value.detail["field"] == field
