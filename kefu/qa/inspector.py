"""The automatic inspection of conversations (spec/qa.md): every rule in force for the
shop, each finding with its rule version, severity, messages and evidence; a score that
starts at 100 and loses the shop's weight per finding; critical findings flag the
conversation for human review."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kefu.commerce.models import AfterSale
from kefu.conversations.models import Conversation, Message, Sender
from kefu.metrics.facts import ShopInfo, burst_walk, shop_infos
from kefu.metrics.models import ConversationFact
from kefu.qa.defaults import SEVERITY_WEIGHTS
from kefu.qa.models import Finding, FindingStatus, Inspection, Rule, RuleKind, Severity, Target
from kefu.qa.rules import rules_current
from kefu.shops.models import Shop

BATCH = 1000
EVIDENCE_MAX = 500
SYSTEM_SENDERS = (Sender.BOT, Sender.SYSTEM)


@dataclass
class FoundIssue:
    rule: Rule
    severity: str
    message_ids: list[str]
    evidence: str
    agent_id: int | None = None

    @property
    def rule_key(self) -> str:
        return self.rule.key


@dataclass
class Result:
    conversation_pk: int
    conversation_ext: str
    shop_id: int
    score: int
    findings: list[FoundIssue] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return any(f.severity == Severity.CRITICAL for f in self.findings)

    def as_json(self) -> dict:
        return {
            "conversation_id": self.conversation_ext,
            "score": self.score,
            "findings": [
                {"rule": f.rule_key, "severity": f.severity, "message_ids": f.message_ids, "evidence": f.evidence}
                for f in self.findings
            ],
        }


@dataclass
class _Message:
    ext: str
    sent_at: object
    sender: str
    is_auto: bool
    agent_id: int | None
    text: str

    @property
    def human_reply(self) -> bool:
        return self.sender == Sender.AGENT and not self.is_auto


def shop_weights(shop) -> dict[str, int]:
    weights = dict(SEVERITY_WEIGHTS)
    weights.update({k: int(v) for k, v in ((shop.settings or {}).get("qa_weights") or {}).items() if k in weights})
    return weights


# ---- evaluating one rule ------------------------------------------------------------


@lru_cache(maxsize=512)
def _matcher(rule_pk: int | None, params_key: str):
    """The compiled matcher of a rule version (rules are immutable, so the pk is a key;
    drafts have no pk and are keyed by their parameters)."""
    import json

    from kefu.text.matcher import PhraseMatcher

    params = json.loads(params_key)
    return PhraseMatcher(
        params.get("words", []),
        whole=params.get("whole", ()),
        exceptions=params.get("exceptions", ()),
        context=params.get("context", ()),
        context_window=params.get("context_window", 12),
        negations=params.get("negations", ()),
        negation_window=params.get("negation_window", 6),
        variants=params.get("variants", True),
    )


def matcher_for(rule: Rule, names=("words",)):
    import json

    params = {key: rule.params[key] for key in ("whole", "exceptions", "context", "context_window", "negations",
                                                "negation_window", "variants") if key in rule.params}
    params["words"] = [w for name in names for w in rule.params.get(name, [])]
    return _matcher(rule.pk, json.dumps(params, sort_keys=True, ensure_ascii=False))


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _target_messages(rule: Rule, messages: list[_Message]) -> list[_Message]:
    human = [m for m in messages if m.human_reply]
    if rule.target == Target.HUMAN_REPLIES:
        return human
    if rule.target == Target.CUSTOMER_MESSAGES:
        return [m for m in messages if m.sender == Sender.CUSTOMER]
    if rule.target == Target.FIRST_HUMAN_REPLY:
        return human[:1]
    if rule.target == Target.LAST_HUMAN_REPLY:
        return human[-1:]
    return messages


def _words_rule(rule: Rule, messages: list[_Message]) -> list[FoundIssue]:
    out = []
    regex = re.compile(rule.params["pattern"]) if rule.kind == RuleKind.REGEX else None
    matcher = None if regex else matcher_for(rule, ("words",))
    for message in _target_messages(rule, messages):
        if not message.text:
            continue
        if regex:
            hits = [m.group(0) for m in regex.finditer(message.text)]
        else:
            hits = [m.matched for m in matcher.find(message.text)]
        if hits:
            words = "、".join(dict.fromkeys(hits))
            out.append(FoundIssue(rule, rule.severity, [message.ext], f"「{words}」：{_quote(message.text)}",
                                  message.agent_id))
    return out


@lru_cache(maxsize=64)
def _apology_matcher(words: tuple[str, ...]):
    """Apologies as the default lists read them ("不用道歉" is none), with the shop's words."""
    from kefu.text.lexicon import RULE_WORDS
    from kefu.text.matcher import PhraseMatcher

    lists = RULE_WORDS["apology"]
    return PhraseMatcher(words, exceptions=lists.exceptions, negations=lists.negations,
                         negation_window=lists.negation_window, variants=False)


def _bursts(messages: list[_Message], shop: ShopInfo, assigned_agent):
    rows = [(None, m.sent_at, m.ext, m.sender, m.is_auto, m.agent_id) for m in messages]
    return [b for b in burst_walk(rows, assigned_agent) if shop.in_hours(b["start"])]


def _slow_reply(rule: Rule, messages, shop, conversation) -> list[FoundIssue]:
    threshold = rule.params.get("threshold_seconds", 180)
    major = rule.params.get("major_above_seconds")
    out = []
    for burst in _bursts(messages, shop, conversation["assigned_agent_id"]):
        response = burst["response"]
        if response is not None and response > threshold:
            severity = Severity.MAJOR if major and response > major else rule.severity
            out.append(FoundIssue(rule, severity, [*burst["ids"], burst["reply"]],
                                  f"响应 {response:.0f} 秒（上限 {threshold} 秒）", burst["agent"]))
    return out


def _is_acknowledgement(text: str, words) -> bool:
    from kefu.text.normalize import normalize

    rest = normalize(text or "")
    for word in sorted((normalize(w) for w in words if w), key=len, reverse=True):
        rest = rest.replace(word, "")
    return not re.sub(r"[\W_]+", "", rest)


def _missed_question(rule: Rule, messages, shop, conversation) -> list[FoundIssue]:
    acks = rule.params.get("acknowledgements", [])
    by_ext = {m.ext: m for m in messages}
    out = []
    for burst in _bursts(messages, shop, conversation["assigned_agent_id"]):
        if burst["response"] is not None:
            continue
        if all(_is_acknowledgement(by_ext[i].text, acks) for i in burst["ids"]):
            continue  # only thanks or an acknowledgement: nothing to answer
        texts = " / ".join(_quote(by_ext[i].text, 30) for i in burst["ids"][:3])
        out.append(FoundIssue(rule, rule.severity, list(burst["ids"]), f"未回复：{texts}", burst["agent"]))
    return out


def _no_greeting(rule: Rule, messages, shop, conversation) -> list[FoundIssue]:
    first = next((m for m in messages if m.human_reply), None)
    if first is None or matcher_for(rule).search(first.text or "") is not None:
        return []
    return [FoundIssue(rule, rule.severity, [first.ext], f"首句无问候：{_quote(first.text)}", first.agent_id)]


def _no_closing(rule: Rule, messages, shop, conversation) -> list[FoundIssue]:
    spoken = [m for m in messages if m.sender not in SYSTEM_SENDERS and not (m.sender == Sender.AGENT and m.is_auto)]
    if not spoken or not spoken[-1].human_reply:
        return []  # the customer spoke last: no closing expected of the agent
    last = spoken[-1]
    if matcher_for(rule).search(last.text or "") is not None:
        return []
    return [FoundIssue(rule, rule.severity, [last.ext], f"结束语缺失：{_quote(last.text)}", last.agent_id)]


def _unresolved_complaint(rule: Rule, messages, shop, conversation, context) -> list[FoundIssue]:
    from kefu.text.sentiment import complaint_words_score

    complaint_words = rule.params.get("complaint_words", [])
    matcher = matcher_for(rule, ("complaint_words",))
    model = context.get("sentiment")
    threshold = rule.params.get("negative_threshold", 0.8)
    complained = []
    customer = [m for m in messages if m.sender == Sender.CUSTOMER and m.text]
    scores = model.score([m.text for m in customer]) if model is not None and customer else None
    for index, message in enumerate(customer):
        hit = matcher.search(message.text) if complaint_words else None
        negative = scores[index] if scores is not None else complaint_words_score(message.text)
        if hit is not None or negative >= threshold:
            complained.append((message, hit.matched if hit else f"负面 {negative:.2f}"))
    if not complained:
        return []
    apologies = _apology_matcher(tuple(rule.params.get("apologies", [])))
    if any(apologies.search(m.text or "") for m in messages if m.human_reply):
        return []
    if conversation["pk"] in context.get("with_aftersale", set()):
        return []
    first, why = complained[0]
    return [FoundIssue(rule, rule.severity, [m.ext for m, _ in complained[:5]],
                       f"顾客投诉（{why}）：{_quote(first.text)}；未致歉、未开售后", conversation["last_replier_id"])]


EVALUATORS = {
    RuleKind.SLOW_REPLY: _slow_reply,
    RuleKind.MISSED_QUESTION: _missed_question,
    RuleKind.NO_GREETING: _no_greeting,
    RuleKind.NO_CLOSING: _no_closing,
}


def _evaluate(rule: Rule, messages, shop: ShopInfo, conversation: dict, context: dict) -> list[FoundIssue]:
    if not rule.enabled:
        return []
    if rule.kind in (RuleKind.KEYWORD, RuleKind.REGEX):
        return _words_rule(rule, messages)
    if rule.kind == RuleKind.UNRESOLVED_COMPLAINT:
        return _unresolved_complaint(rule, messages, shop, conversation, context)
    return EVALUATORS[rule.kind](rule, messages, shop, conversation)


# ---- inspecting conversations -------------------------------------------------------


def conversation_ids_of_period(*, start, end, shops=None) -> list[int]:
    """The conversations belonging to a period (by their first customer message, as in the
    metric engine): dates are shop days, times are moments."""
    from kefu.metrics.engine import Selection

    shop_list = list(shops) if shops is not None else None
    if shop_list is None:
        shop_list = list(Shop.objects.all())
    selection = Selection(start, end, shop_list, "none", timezone.now())
    facts = ConversationFact.objects.filter(selection.period("day", "start"), shop_id__in=[s.pk for s in shop_list])
    return list(facts.order_by("start", "pk").values_list("pk", flat=True))


def inspect_conversations(conversation_ids, *, rules=None, save: bool = True, now=None) -> list[Result]:
    """Inspect these conversations with each shop's rules in force (or ``rules``, the same
    list for every shop: a preview). With ``save`` the inspections and findings replace the
    stored ones (review decisions on unchanged findings are kept)."""
    ids = list(conversation_ids)
    results: list[Result] = []
    shops = shop_infos()
    shop_objects = {shop.pk: shop for shop in Shop.objects.all()}
    rule_sets: dict[int, list[Rule]] = {}
    context = {"sentiment": _sentiment_model()}
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        batch = _inspect_batch(part, rules, rule_sets, shops, shop_objects, context)
        if save:
            _save(batch, now or timezone.now())
        results.extend(batch)
    return results


def _sentiment_model():
    from kefu.qa.training import sentiment_model_load

    return sentiment_model_load()


def _inspect_batch(ids, rules, rule_sets, shops, shop_objects, context) -> list[Result]:
    conversations = {
        row["pk"]: row
        for row in Conversation.objects.filter(pk__in=ids).values(
            "pk", "ext_id", "shop_id", "assigned_agent_id", "order_id", "customer_ext", "started_at"
        )
    }
    facts = dict(ConversationFact.objects.filter(pk__in=ids).values_list("pk", "last_replier_id"))
    messages: dict[int, list[_Message]] = defaultdict(list)
    for cid, ext, sent_at, sender, is_auto, agent, text in (
        Message.objects.filter(conversation_id__in=ids)
        .order_by("conversation_id", "sent_at", "ext_id")
        .values_list("conversation_id", "ext_id", "sent_at", "sender", "is_auto", "agent_id", "text")
        .iterator(chunk_size=5000)
    ):
        messages[cid].append(_Message(ext, sent_at, sender, is_auto, agent, text))
    context = dict(context, with_aftersale=_with_aftersale(conversations, messages))
    out = []
    for pk in ids:
        conversation = conversations.get(pk)
        if conversation is None:
            continue
        conversation["last_replier_id"] = facts.get(pk)
        shop_id = conversation["shop_id"]
        if rules is None:
            if shop_id not in rule_sets:
                rule_sets[shop_id] = rules_current(shop_objects[shop_id])
            active = rule_sets[shop_id]
        else:
            active = rules
        found: list[FoundIssue] = []
        for rule in active:
            found.extend(_evaluate(rule, messages.get(pk, []), shops[shop_id], conversation, context))
        weights = shop_weights(shop_objects[shop_id])
        score = max(0, 100 - sum(weights[f.severity] for f in found))
        out.append(Result(pk, conversation["ext_id"], shop_id, score, found))
    return out


def _with_aftersale(conversations: dict, messages: dict) -> set[int]:
    """Conversations for which an after-sale was opened: on the conversation's order, or on
    any order of the customer in the shop, from the conversation's start until a day after
    its last message."""
    if not conversations:
        return set()
    windows = {}
    for row in conversations.values():
        last = messages[row["pk"]][-1].sent_at if messages.get(row["pk"]) else row["started_at"]
        windows[row["pk"]] = (row["started_at"], last + timedelta(days=1))
    earliest = min(start for start, _ in windows.values())
    latest = max(end for _, end in windows.values())
    order_ids = {row["order_id"] for row in conversations.values() if row["order_id"]}
    customers = {(row["shop_id"], row["customer_ext"]) for row in conversations.values()}
    opened = AfterSale.objects.order_by().filter(
        Q(order_id__in=order_ids) | Q(shop_id__in={s for s, _ in customers},
                                      order__customer_ext__in={c for _, c in customers}),
        opened_at__gte=earliest, opened_at__lte=latest,
    ).values_list("order_id", "shop_id", "order__customer_ext", "opened_at")
    by_order, by_customer = defaultdict(list), defaultdict(list)
    for order_id, shop_id, customer_ext, opened_at in opened:
        by_order[order_id].append(opened_at)
        by_customer[(shop_id, customer_ext)].append(opened_at)
    found = set()
    for row in conversations.values():
        start, end = windows[row["pk"]]
        times = by_customer.get((row["shop_id"], row["customer_ext"]), []) + by_order.get(row["order_id"], [])
        if any(start <= t <= end for t in times):
            found.add(row["pk"])
    return found


def _save(results: list[Result], now) -> None:
    if not results:
        return
    ids = [r.conversation_pk for r in results]
    facts = {
        row[0]: row[1:]
        for row in ConversationFact.objects.filter(pk__in=ids).values_list(
            "pk", "start", "day", "week", "month", "last_replier_id", "last_message_at"
        )
    }
    decided = {
        (cid, key, tuple(message_ids)): status
        for cid, key, message_ids, status in Finding.objects.filter(
            inspection__conversation_id__in=ids
        ).exclude(status=FindingStatus.PENDING).values_list("inspection__conversation_id", "rule_key", "message_ids",
                                                             "status")
    }
    with transaction.atomic():
        Finding.objects.filter(inspection__conversation_id__in=ids).delete()
        Inspection.objects.filter(conversation_id__in=ids).delete()
        inspections = []
        for result in results:
            fact = facts.get(result.conversation_pk)
            if fact is None:
                continue  # no customer message: nothing a period counts
            start, day, week, month, last_replier, last_message_at = fact
            inspections.append(Inspection(
                conversation_id=result.conversation_pk, shop_id=result.shop_id, start=start, day=day, week=week,
                month=month, agent_id=last_replier,
                score=result.score, flagged=result.flagged, last_message_at=last_message_at, inspected_at=now,
            ))
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        by_conversation = {i.conversation_id: i for i in inspections}
        weights_of = {}
        findings = []
        for result in results:
            inspection = by_conversation.get(result.conversation_pk)
            if inspection is None:
                continue
            if result.shop_id not in weights_of:
                weights_of[result.shop_id] = shop_weights(Shop.objects.get(pk=result.shop_id))
            weights = weights_of[result.shop_id]
            for f in result.findings:
                findings.append(Finding(
                    inspection=inspection, rule=f.rule, rule_key=f.rule_key, severity=f.severity,
                    deduction=weights[f.severity], message_ids=f.message_ids, evidence=f.evidence[:EVIDENCE_MAX],
                    agent_id=f.agent_id,
                    status=decided.get((result.conversation_pk, f.rule_key, tuple(f.message_ids)),
                                       FindingStatus.PENDING),
                ))
        Finding.objects.bulk_create(findings, batch_size=1000)
