"""The built-in rule set of spec/qa.md, as data: what a shop starts with and may edit.

``kind`` says how a rule is evaluated: ``keyword`` rules match word lists in the messages
of ``target`` (kefu.text.matcher: evasions caught, near misses excluded by ``whole``,
``exceptions``, ``context`` and ``negations``); ``regex`` rules a regular expression;
the other kinds are measured (delays, a missing greeting ...), with their thresholds and
word lists in ``params`` too."""

from kefu.text.lexicon import RULE_WORDS

ACKNOWLEDGEMENTS = ["好的", "好", "谢谢", "多谢", "感谢", "嗯嗯", "嗯", "收到", "ok", "okay", "👌", "好滴", "知道了",
                    "明白", "行", "可以", "好的谢谢", "谢啦", "哦", "哦哦", "👍", "🙏", "thx", "thanks"]


def _words(name: str, *, key: str = "words") -> dict:
    """A word-list rule's parameters from the tuned default lists (kefu.text.lexicon)."""
    lists = RULE_WORDS[name]
    params = {key: list(dict.fromkeys(lists.phrases))}
    for field in ("whole", "exceptions", "context", "negations"):
        if getattr(lists, field):
            params[field] = list(dict.fromkeys(getattr(lists, field)))
    if lists.context:
        params["context_window"] = lists.context_window
    if lists.negations:
        params["negation_window"] = lists.negation_window
    if not lists.variants:
        params["variants"] = False
    return params


def _keyword(key: str, name: str, severity: str) -> dict:
    return {"key": key, "name": name, "kind": "keyword", "target": "human_replies", "severity": severity,
            "params": _words(key)}


DEFAULT_RULES: list[dict] = [
    {
        "key": "slow_reply", "name": "响应超时", "kind": "slow_reply", "target": "bursts", "severity": "minor",
        "params": {"threshold_seconds": 180, "major_above_seconds": 600},
    },
    {
        "key": "missed_question", "name": "漏回复", "kind": "missed_question", "target": "bursts",
        "severity": "major", "params": {"acknowledgements": ACKNOWLEDGEMENTS},
    },
    _keyword("rude_language", "服务态度", "major"),
    _keyword("off_platform", "引导站外交易", "critical"),
    _keyword("review_bribery", "好评返现", "critical"),
    _keyword("absolute_claim", "极限词/绝对化承诺", "minor"),
    _keyword("credential_request", "索要敏感信息", "critical"),
    {
        "key": "no_greeting", "name": "缺少问候", "kind": "no_greeting", "target": "first_human_reply",
        "severity": "minor", "params": _words("greeting"),
    },
    {
        "key": "no_closing", "name": "缺少结束语", "kind": "no_closing", "target": "last_human_reply",
        "severity": "minor", "params": _words("closing"),
    },
    {
        "key": "unresolved_complaint", "name": "投诉未处理", "kind": "unresolved_complaint", "target": "conversation",
        "severity": "major",
        "params": {**_words("complaint", key="complaint_words"), "apologies": list(RULE_WORDS["apology"].phrases),
                   "negative_threshold": 0.8},
    },
]

SEVERITY_WEIGHTS = {"minor": 2, "major": 10, "critical": 40}
