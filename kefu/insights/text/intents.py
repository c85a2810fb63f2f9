"""The intent (咨询类型) of a conversation: what the customer came for.

Intents are the keys of :class:`kefu.live.choices.Disposition` (size, stock, shipping,
logistics, return, complaint, promotion, invoice, product, other), the same types an
agent picks when ending a live chat, so per-intent volumes line up with what agents
record and can feed the metric engine and the workforce forecast.

There are no public intent labels for Chinese shop chats, so intents start from rules:
keyword lists per intent (written for Kefu), matched in the customer's messages. Each
hit counts once per message; the intent with most hits wins, ties going to the earlier
intent of :data:`INTENT_RULES` (a complaint outranks the question it complains about).
Labels a human gave (the disposition an agent chose, a supervisor's correction, or a
``text,label`` CSV) train an :class:`~kefu.insights.text.models.IntentModel`; once one
exists, :func:`classify_intents` uses the model where it is confident
(``min_confidence``) and the rules elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["INTENTS", "INTENT_RULES", "OTHER_INTENT", "classify_intents", "rule_intent"]

OTHER_INTENT = "other"

INTENT_RULES: dict[str, tuple[str, ...]] = {
    key: tuple(words.split())
    for key, words in {
        "complaint": "投诉 差评 举报 12315 工商 骗子 欺骗 太过分 什么态度 垃圾 坑人 气死 骗人 维权 曝光",
        "return": "退货 退款 换货 退换 退回 寄回 七天无理由 7天无理由 不想要了 取消订单 拒收 退差价 售后 返修 维修 换一个",
        "logistics": "物流 快递 到哪 到了吗 还没到 没收到 签收 派送 配送 运单 单号 快递员 查件 几天能到 什么时候到 多久到 送到",
        "shipping": "发货 发出 什么时候发 几号发 几时发 今天发 现货吗 发什么快递 发顺丰 催单 加急 出库",
        "size": "尺码 尺寸 码数 多大码 穿多大 偏大 偏小 身高 体重 大小 合身 腰围 胸围 多少码 什么码 号码 规格",
        "stock": "有货 没货 缺货 库存 补货 到货 还有吗 有没有货 断货 预售 现货",
        "promotion": "优惠 优惠券 券 满减 活动 折扣 打折 便宜 降价 价保 保价 赠品 送什么 包邮 领券 秒杀 红包 京豆 plus",
        "invoice": "发票 开票 专票 普票 增值税 抬头 税号 电子发票",
        "product": "怎么用 如何使用 材质 成分 功能 区别 保质期 是正品吗 正品 型号 参数 兼容 适合 颜色 说明书 安装",
    }.items()
}
INTENTS = (*INTENT_RULES, OTHER_INTENT)


def rule_intent(messages: Sequence[str]) -> str:
    """The intent of the customer's (normalised) messages by the keyword rules."""
    hits = dict.fromkeys(INTENT_RULES, 0)
    for message in messages:
        for intent, words in INTENT_RULES.items():
            if any(word in message for word in words):
                hits[intent] += 1
    best = max(hits.values())
    if best == 0:
        return OTHER_INTENT
    return next(intent for intent, n in hits.items() if n == best)


def classify_intents(conversations: Sequence[Sequence[str]], *, model=None,
                     min_confidence: float = 0.6) -> list[tuple[str, str]]:
    """(intent, source) for each conversation, given as its customer's messages;
    ``source`` is ``"model"`` or ``"rules"``."""
    from kefu.insights.text.features import normalize_text, prepare_texts

    normalized = [[normalize_text(m) for m in messages] for messages in conversations]
    result = [(rule_intent(messages), "rules") for messages in normalized]
    if model is not None and conversations:
        batch = prepare_texts([" ".join(m) for m in normalized], words=model.vectorizer.uses_words)
        for i, (intent, p) in enumerate(model.predict(batch)):
            if p >= min_confidence:
                result[i] = (intent, "model")
    return result
