"""The metrics of spec/metrics.md: keys, names, units and formulas.

This registry is the one list every page, report, export, API and CLI figure is drawn
from; the engine (``kefu.metrics.engine``) computes exactly these keys."""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import get_language


class Unit(StrEnum):
    COUNT = "count"
    RATIO = "ratio"  # a fraction 0-1
    SECONDS = "seconds"
    YUAN = "yuan"  # a Decimal, shown and exported as a decimal string
    HOURS = "hours"
    SCORE = "score"  # 0-100


class Family(StrEnum):
    SERVICE = "service"
    SALES = "sales"
    SATISFACTION = "satisfaction"
    WORKLOAD = "workload"
    QUALITY = "quality"


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Unit
    family: Family
    formula_zh: str
    formula_en: str
    higher_is_better: bool | None = True  # None: neither (volumes)
    per_agent: bool = True  # False: no per-agent (or per-team) value, always null

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is chosen)."""
        return self.en if (get_language() or "zh-hans").startswith("en") else self.zh

    @property
    def formula(self) -> str:
        return self.formula_en if (get_language() or "zh-hans").startswith("en") else self.formula_zh

    @property
    def is_count(self) -> bool:
        return self.unit == Unit.COUNT


def _m(key, zh, en, unit, family, formula_zh, formula_en, higher_is_better=True, per_agent=True) -> Metric:
    return Metric(key, zh, en, unit, family, formula_zh, formula_en, higher_is_better, per_agent)


S, SA, SAT, W = Family.SERVICE, Family.SALES, Family.SATISFACTION, Family.WORKLOAD
C, R, SEC, Y, H = Unit.COUNT, Unit.RATIO, Unit.SECONDS, Unit.YUAN, Unit.HOURS

METRICS: tuple[Metric, ...] = (
    _m("conversations", "咨询量", "Conversations", C, S,
       "有顾客消息的会话数", "conversations with at least one customer message", None),
    _m("consult_customers", "咨询人数", "Consulting customers", C, S,
       "本期会话的去重顾客数", "distinct customers of the period's conversations", None),
    _m("served_customers", "接待人数", "Served customers", C, S,
       "本期得到人工回复的会话的去重顾客数", "distinct customers whose conversation got a human reply", None),
    _m("unanswered_conversations", "未回复会话", "Unanswered conversations", C, S,
       "有顾客消息但无人工回复的会话数", "conversations with a customer message and no human reply", False),
    _m("offhours_bursts", "离线留言", "Off-hours questions", C, S,
       "开始于服务时间外的提问数", "bursts that start outside service hours", None),
    _m("reply_rate", "回复率", "Reply rate", R, S,
       "已回复的服务时间内提问 ÷ 服务时间内提问", "answered in-hours bursts / in-hours bursts"),
    _m("first_response_time_avg", "平均首响时长", "Average first response time", SEC, S,
       "服务时间内有首次响应的会话：平均(首次人工回复 − 首条顾客消息)",
       "mean over in-hours conversations with a first response of (first response − first customer message)", False),
    _m("response_time_avg", "平均响应时长", "Average response time", SEC, S,
       "已回复的服务时间内提问的平均响应时长", "mean response time of answered in-hours bursts", False),
    _m("response_within_rate", "3分钟人工响应率", "Answered within threshold", R, S,
       "阈值内（≤，默认180秒）回复的服务时间内提问 ÷ 服务时间内提问",
       "in-hours bursts answered within the threshold (≤, default 180 s) / in-hours bursts"),
    _m("service_level", "服务水平", "Service level", R, S,
       "首次响应在阈值内（≤，默认30秒）的服务时间内会话 ÷ 服务时间内会话",
       "in-hours conversations first answered within the threshold (≤, default 30 s) / in-hours conversations"),
    _m("answer_question_ratio", "答问比", "Answer/question ratio", R, S,
       "人工回复消息数 ÷ 顾客消息数", "human replies / customer messages", None),
    _m("conversation_duration_avg", "平均会话时长", "Average conversation duration", SEC, S,
       "平均(最后一条消息 − 第一条消息)", "mean of (last message − first message)", None),
    _m("first_contact_resolution", "一次解决率", "First contact resolution", R, S,
       "有人工回复且48小时内该顾客未再发起会话的会话 ÷ 有人工回复的会话",
       "conversations with a human reply not followed by another conversation of the customer within 48 h / "
       "conversations with a human reply"),
    _m("inquiries", "询单人数", "Inquiries", C, SA,
       "询单（顾客×店铺日，当日有售前会话）数", "inquiries (customer-days with a pre-sale conversation)", None),
    _m("ordered_inquiries", "下单人数", "Ordered inquiries", C, SA,
       "已下单的询单数", "converted inquiries"),
    _m("inquiry_conversion_rate", "询单转化率", "Inquiry conversion rate", R, SA,
       "下单人数 ÷ 询单人数", "ordered_inquiries / inquiries"),
    _m("paid_inquiries", "付款人数", "Paid inquiries", C, SA,
       "已付款的询单数", "paid inquiries"),
    _m("payment_conversion_rate", "询单→付款转化率", "Inquiry-to-payment rate", R, SA,
       "付款人数 ÷ 询单人数", "paid_inquiries / inquiries"),
    _m("final_payment_rate", "最终付款成功率", "Final payment rate", R, SA,
       "付款人数 ÷ 下单人数", "paid_inquiries / ordered_inquiries"),
    _m("agent_sales", "客服销售额", "Agent sales", Y, SA,
       "本期创建、已付款的询单下单订单金额之和", "sum of amount of paid inquiry-driven orders created in the period"),
    _m("avg_order_value", "客单价", "Average order value", Y, SA,
       "客服销售额 ÷ 有已付款询单订单的去重顾客数",
       "agent_sales / distinct customers with a paid inquiry-driven order"),
    _m("silent_orders", "静默下单数", "Silent orders", C, SA,
       "本期创建、不属于任何询单的订单数（无个人值）", "orders created in the period not linked to an inquiry", None,
       per_agent=False),
    _m("csat", "满意度", "Satisfaction (CSAT)", R, SAT,
       "评价4-5分的会话 ÷ 有评价的会话", "conversations rated 4-5 / rated conversations"),
    _m("rating_rate", "评价率", "Rating rate", R, SAT,
       "有评价的会话 ÷ 有人工回复的会话", "rated conversations / conversations with a human reply"),
    _m("bad_review_rate", "差评率", "Bad review rate", R, SAT,
       "1-2分评价 ÷ 评价数", "reviews rated 1-2 / reviews", False),
    _m("neutral_bad_review_rate", "中差评率", "Neutral and bad review rate", R, SAT,
       "1-3分评价 ÷ 评价数", "reviews rated 1-3 / reviews", False),
    _m("aftersale_completion_rate", "售后处理完成率", "After-sales completed on time", R, SAT,
       "按时（开启+时限内）关闭的售后 ÷ 已关闭或已超时的售后（不含已取消）",
       "after-sales closed by their due time / after-sales closed or past due (cancelled excluded)"),
    _m("aftersale_duration_avg", "平均售后处理时长", "Average after-sales duration", SEC, SAT,
       "本期关闭的售后：平均(关闭 − 开启)", "mean of (closed − opened) of after-sales closed in the period", False),
    _m("refund_rate", "退款率", "Refund rate", R, SAT,
       "本期完成的退款/退货售后 ÷ 本期付款订单", "refunds and returns completed / orders paid", False),
    _m("dispute_rate", "纠纷退款率", "Dispute rate", R, SAT,
       "平台介入且判卖家责任的售后 ÷ 本期付款订单",
       "after-sales with platform intervention judged against the seller / orders paid", False),
    _m("online_hours", "在线时长", "Online hours", H, W,
       "在线或忙碌状态的时长（小时）", "time online or busy, in hours", None),
    _m("conversations_per_online_hour", "时均接待量", "Conversations per online hour", R, W,
       "接待会话数 ÷ 在线时长", "conversations received / online hours"),
)

Q = Family.QUALITY
# Kefu's own metrics beyond metrics.md: computed by the same engine, shown on pages and in
# reports, and given by the CLI and API when asked for by key (never in the default set,
# which is exactly metrics.md's).
EXTENSION_METRICS: tuple[Metric, ...] = (
    _m("qa_score_avg", "质检平均分", "Average QA score", Unit.SCORE, Q,
       "本期会话（按首条顾客消息）自动质检得分的平均值；按客服：会话的最后回复人",
       "mean automatic inspection score of the period's conversations; per agent, by the last replier"),
    _m("qa_findings_per_100", "百会话质检问题数", "QA findings per 100 conversations", R, Q,
       "本期已质检会话的发现数 × 100 ÷ 已质检会话数", "findings × 100 / inspected conversations", False),
)

METRIC_BY_KEY: dict[str, Metric] = {m.key: m for m in (*METRICS, *EXTENSION_METRICS)}
METRIC_KEYS: tuple[str, ...] = tuple(m.key for m in METRICS)

GROUPINGS = ("none", "agent", "team", "shop", "day", "week", "month")


def metric_get(key: str) -> Metric:
    try:
        return METRIC_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}; known: {', '.join(METRIC_KEYS)}") from None
