"""Rules as data: the current rule set of a shop, saving a new version, and previewing a
change before it is saved (spec/qa.md: rules are edited without touching code)."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from kefu.core.audit import audit_record
from kefu.core.errors import ValidationError
from kefu.qa.defaults import DEFAULT_RULES
from kefu.qa.models import Rule, RuleKind, Severity, Target

WORD_LISTS = ("words", "whole", "exceptions", "context", "negations", "acknowledgements", "complaint_words",
              "apologies")
NUMBERS = ("threshold_seconds", "major_above_seconds", "context_window", "negation_window", "negative_threshold")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def rules_ensure_defaults() -> None:
    """The built-in rules of qa.md as version 1 of every shop's defaults (idempotent)."""
    present = set(Rule.objects.filter(shop__isnull=True).values_list("key", flat=True))
    missing = [
        Rule(shop=None, version=1, note="qa.md", **{k: v for k, v in spec.items()})
        for spec in DEFAULT_RULES
        if spec["key"] not in present
    ]
    if missing:
        Rule.objects.bulk_create(missing, ignore_conflicts=True)


def rules_current(shop) -> list[Rule]:
    """The rules in force for a shop: per key, its own latest version, else the default's."""
    rules_ensure_defaults()
    latest: dict[str, Rule] = {}
    for rule in Rule.objects.filter(shop__isnull=True).order_by("key", "version"):
        latest[rule.key] = rule
    if shop is not None:
        for rule in Rule.objects.filter(shop=shop).order_by("key", "version"):
            latest[rule.key] = rule
    return sorted(latest.values(), key=lambda r: _order(r.key))


def _order(key: str) -> tuple[int, str]:
    builtin = [spec["key"] for spec in DEFAULT_RULES]
    return (builtin.index(key), key) if key in builtin else (len(builtin), key)


def rule_validate(draft: dict) -> dict:
    """A rule's fields, checked: clear errors for anything a supervisor could get wrong."""
    clean = {}
    key = str(draft.get("key", "")).strip()
    if not KEY_PATTERN.match(key):
        raise ValidationError("key: lowercase letters, digits and _ (2-64), starting with a letter",
                              detail={"field": "key"})
    clean["key"] = key
    name = str(draft.get("name", "")).strip()
    if not name:
        raise ValidationError("name: required", detail={"field": "name"})
    clean["name"] = name[:100]
    for field_name, choices in (("kind", RuleKind), ("target", Target), ("severity", Severity)):
        value = draft.get(field_name)
        if value not in choices.values:
            raise ValidationError(f"{field_name}: one of {', '.join(choices.values)}", detail={"field": field_name})
        clean[field_name] = value
    params = dict(draft.get("params") or {})
    for name_ in WORD_LISTS:
        if name_ in params:
            words = params[name_]
            if isinstance(words, str):
                words = [w for w in re.split(r"[,，\n]", words)]
            words = [str(w).strip() for w in words if str(w).strip()]
            params[name_] = list(dict.fromkeys(words))
    for name_ in NUMBERS:
        if name_ in params and params[name_] not in (None, ""):
            try:
                params[name_] = float(params[name_]) if name_ == "negative_threshold" else int(params[name_])
            except (TypeError, ValueError):
                raise ValidationError(f"{name_}: a number", detail={"field": name_}) from None
    if clean["kind"] == RuleKind.KEYWORD and not params.get("words") and not params.get("whole"):
        raise ValidationError("words: a word-list rule needs at least one word", detail={"field": "words"})
    if clean["kind"] == RuleKind.REGEX:
        pattern = params.get("pattern", "")
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValidationError(f"pattern: not a valid regular expression ({error})",
                                  detail={"field": "pattern"}) from None
        if not pattern:
            raise ValidationError("pattern: required", detail={"field": "pattern"})
    if clean["kind"] == RuleKind.SLOW_REPLY and params.get("threshold_seconds", 0) <= 0:
        raise ValidationError("threshold_seconds: a positive number of seconds", detail={"field": "threshold_seconds"})
    clean["params"] = params
    clean["enabled"] = bool(draft.get("enabled", True))
    return clean


def rule_save(shop, draft: dict, *, actor=None, note: str = "", request=None) -> Rule:
    """Write the next version of a rule for a shop (or of the defaults, ``shop=None``)."""
    clean = rule_validate(draft)
    with transaction.atomic():
        last = Rule.objects.select_for_update().filter(key=clean["key"]).aggregate(v=Max("version"))["v"] or 0
        rule = Rule.objects.create(shop=shop, version=last + 1, note=note[:300], created_by=actor
                                   if getattr(actor, "is_authenticated", False) else None, **clean)
        audit_record(actor=actor, action="qa.rule_save", target=rule, request=request,
                     detail={"key": rule.key, "version": rule.version, "shop": shop.pk if shop else None})
    return rule


@dataclass
class Preview:
    """What saving a rule change would do to the findings of a period."""

    conversations: int = 0
    added: int = 0
    removed: int = 0
    kept: int = 0
    added_examples: list = field(default_factory=list)
    removed_examples: list = field(default_factory=list)


def rule_preview(shop, draft: dict, *, start, end, examples: int = 5) -> Preview:
    """Inspect the period's conversations with the current rule and with the draft, and
    count the findings the change adds and removes. Saving the draft and re-inspecting the
    period gives exactly these findings for that rule."""
    from kefu.qa.inspector import conversation_ids_of_period, inspect_conversations

    clean = rule_validate(draft)
    current = {rule.key: rule for rule in rules_current(shop)}.get(clean["key"])
    candidate = Rule(shop=shop, version=0, **clean)
    ids = conversation_ids_of_period(start=start, end=end, shops=[shop])
    preview = Preview(conversations=len(ids))
    before = _finding_keys(inspect_conversations(ids, rules=[current] if current else [], save=False))
    after = _finding_keys(inspect_conversations(ids, rules=[candidate], save=False))
    preview.added = len(after.keys() - before.keys())
    preview.removed = len(before.keys() - after.keys())
    preview.kept = len(after.keys() & before.keys())
    preview.added_examples = [after[k] for k in sorted(after.keys() - before.keys())[:examples]]
    preview.removed_examples = [before[k] for k in sorted(before.keys() - after.keys())[:examples]]
    return preview


def _finding_keys(results) -> dict:
    found = {}
    for result in results:
        for finding in result.findings:
            found[(result.conversation_ext, tuple(finding.message_ids))] = {
                "conversation_id": result.conversation_ext, "conversation_pk": result.conversation_pk,
                "message_ids": finding.message_ids, "evidence": finding.evidence, "severity": finding.severity,
            }
    return found
