"""The long definition of every metric, in Chinese and English, for the glossary page.

``definitions.METRICS`` holds each metric's name, unit and one-line formula; this module
holds the explanation a supervisor reads before trusting a number: what is counted,
which period an item belongs to, how it is credited to an agent, and the settings that
change it. Both follow spec/metrics.md and docs/metric-interpretations.md; a test checks
that every key of ``METRICS`` has an entry here and no other key does."""

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class GlossaryEntry:
    zh: str
    en: str

    @property
    def text(self) -> str:
        """The explanation in the active language (Chinese unless English is chosen)."""
        return self.en if (get_language() or "zh-hans").startswith("en") else self.zh


GLOSSARY: dict[str, GlossaryEntry] = {
    "conversations": GlossaryEntry(
        "至少有一条顾客消息的会话数。会话归属于其第一条顾客消息所在的店铺日（按店铺时区切日）；"
        "只有客服主动发出、顾客从未回复的会话不计入。按客服统计时为该客服接待（发过人工回复）的会话。",
        "Conversations with at least one customer message. A conversation belongs to the shop-day of its "
        "first customer message (cut in the shop's timezone); one the customer never wrote in is not counted. "
        "Per agent: the conversations the agent received (sent a human reply in).",
    ),
    "consult_customers": GlossaryEntry(
        "本期会话的去重顾客数：同一顾客在本期开了多个会话只算一人。按客服统计时为该客服接待的会话的去重顾客数。",
        "Distinct customers of the period's conversations: a customer with several conversations counts once. "
        "Per agent: distinct customers of the conversations the agent received.",
    ),
    "served_customers": GlossaryEntry(
        "本期得到人工回复的会话的去重顾客数。机器人、系统消息和自动回复都不算人工回复。",
        "Distinct customers whose conversation in the period got a human reply. Bot, system and automatic "
        "messages are never human replies.",
    ),
    "unanswered_conversations": GlossaryEntry(
        "有顾客消息、但至今没有任何人工回复的会话数（只有机器人或自动回复的也算未回复）。"
        "按客服统计时为分配给该客服（assigned_agent）的未回复会话。越少越好。",
        "Conversations with a customer message and no human reply so far (one answered only by a bot or an "
        "automatic reply is unanswered). Per agent: the unanswered conversations assigned to the agent. "
        "Lower is better.",
    ),
    "offhours_bursts": GlossaryEntry(
        "开始于服务时间之外的提问（一次提问 = 一段未被人工回复打断的连续顾客消息）数。"
        "它们不计入回复率和响应时长，单独作为离线留言报告。服务时间是店铺设置，默认全天。",
        "Bursts (a run of customer messages not interrupted by a human reply) that start outside service "
        "hours. They are left out of reply rate and response times and reported here instead. Service hours "
        "are a shop setting, all day by default.",
    ),
    "reply_rate": GlossaryEntry(
        "服务时间内的提问中得到人工回复的比例。一次提问的回复是其开始之后同一会话里的第一条人工回复。"
        "未回复的提问归属于会话的分配客服，没有则归属于此前最后一位人工回复的客服。",
        "Share of in-hours bursts that got a human reply. A burst is answered by the first human reply after "
        "its start in the same conversation. An unanswered burst is attributed to the conversation's assigned "
        "agent, else to the last agent who replied before it.",
    ),
    "first_response_time_avg": GlossaryEntry(
        "服务时间内、有首次响应的会话的平均首响时长：首次人工回复时间 − 第一条顾客消息时间。"
        "首次响应归属于发出它的客服。越短越好。",
        "Mean, over in-hours conversations with a first response, of (first human reply − first customer "
        "message). The first response belongs to the agent who sent it. Lower is better.",
    ),
    "response_time_avg": GlossaryEntry(
        "服务时间内已回复提问的平均响应时长：回复时间 − 提问开始时间（提问第一条消息的时间）。"
        "未回复的提问不计入平均值，但会拉低回复率和3分钟人工响应率。越短越好。",
        "Mean response time of answered in-hours bursts: reply time − the burst's first message. Unanswered "
        "bursts are not in this mean; they lower the reply rate and the answered-within-threshold rate. "
        "Lower is better.",
    ),
    "response_within_rate": GlossaryEntry(
        "服务时间内的提问中，在阈值内（≤ 阈值，默认180秒，店铺可设置）得到人工回复的比例；未回复的提问算作超时。"
        "对应平台考核的“3分钟人工响应率”。",
        "Share of in-hours bursts answered within the threshold (≤, default 180 s, a shop setting); "
        "unanswered bursts count as not within. The platforms' \"3-minute human response rate\".",
    ),
    "service_level": GlossaryEntry(
        "服务时间内的会话中，首次人工回复在阈值内（≤ 阈值，默认30秒，店铺可设置）到达的比例。"
        "按客服统计时为该客服发出首次响应的会话，加上分配给该客服但至今未回复的服务时间内会话。",
        "Share of in-hours conversations whose first human reply came within the threshold (≤, default 30 s, "
        "a shop setting). Per agent: the conversations whose first response the agent sent, plus the "
        "unanswered in-hours ones assigned to the agent.",
    ),
    "answer_question_ratio": GlossaryEntry(
        "本期会话中人工回复消息数 ÷ 顾客消息数。按客服统计时，分子为该客服的人工回复，分母为归属于该客服的提问中的顾客消息。"
        "比值高说明回复细致，过高可能是刷话术。",
        "Human replies / customer messages over the period's conversations. Per agent: the agent's human "
        "replies over the customer messages of the bursts attributed to the agent. High means thorough "
        "answers; very high may mean padding.",
    ),
    "conversation_duration_avg": GlossaryEntry(
        "会话从第一条消息到最后一条消息（任何发送方）的平均时长。时长本身无好坏，需结合一次解决率看。",
        "Mean time from a conversation's first to its last message (any sender). Neither good nor bad on its "
        "own: read it with first contact resolution.",
    ),
    "first_contact_resolution": GlossaryEntry(
        "有人工回复的会话中，会话最后一条消息之后48小时内该顾客没有在同一店铺再发起新会话的比例。"
        "之后的会话即使落在统计期之外也会被考虑。",
        "Share of conversations with a human reply after which the same customer opens no other conversation "
        "in the same shop within 48 hours of its last message. Later conversations outside the period count.",
    ),
    "inquiries": GlossaryEntry(
        "询单 = 顾客 × 店铺日：当天至少有一个售前会话（按第一条顾客消息的日期）。同一顾客同一天多个售前会话只算一次询单。"
        "询单归属于当天在该顾客售前会话中最后一位人工回复的客服。",
        "An inquiry is a customer-day with at least one pre-sale conversation (by its first customer "
        "message): several pre-sale conversations of one customer on one day are one inquiry. It is credited "
        "to the agent who sent the last human reply in that day's pre-sale conversations.",
    ),
    "ordered_inquiries": GlossaryEntry(
        "已下单的询单数。订单先找询单：同一顾客、同一店铺、下单前有人工回复、且下单时间在该询单窗口内"
        "（询单当天起到次日结束，店铺可设置延长天数）的售前会话；多个候选时取下单前最后一次人工回复最晚的那个。",
        "Inquiries that converted. Each order looks for the customer's pre-sale conversations in the same shop "
        "with a human reply before the order and whose inquiry window contains it (from the inquiry's start to "
        "the end of the next day; the extra days are a shop setting); the latest last reply wins.",
    ),
    "inquiry_conversion_rate": GlossaryEntry(
        "下单人数 ÷ 询单人数。客服售前能力的核心指标。",
        "Ordered inquiries / inquiries: the core measure of pre-sale service.",
    ),
    "paid_inquiries": GlossaryEntry(
        "至少有一笔归属订单已付款（任何时候付款）的询单数。",
        "Inquiries with at least one credited order that has been paid (at any time).",
    ),
    "payment_conversion_rate": GlossaryEntry(
        "付款人数 ÷ 询单人数。",
        "Paid inquiries / inquiries.",
    ),
    "final_payment_rate": GlossaryEntry(
        "付款人数 ÷ 下单人数：下单后最终完成付款的比例，催付效果的指标。",
        "Paid inquiries / ordered inquiries: how many orders are finally paid; the measure of payment reminders.",
    ),
    "agent_sales": GlossaryEntry(
        "本期创建、已付款的询单下单订单金额之和（元）。订单归属于赢得该订单的会话中、下单前最后一次人工回复的客服。"
        "静默下单不计入。",
        "Sum of the amounts of paid inquiry-driven orders created in the period (yuan). An order is credited "
        "to the agent of the last human reply before it in the winning conversation. Silent orders are not "
        "included.",
    ),
    "avg_order_value": GlossaryEntry(
        "客服销售额 ÷ 有已付款询单订单的去重顾客数，四舍五入到分。",
        "Agent sales / distinct customers with a paid inquiry-driven order, rounded half-up to the fen.",
    ),
    "silent_orders": GlossaryEntry(
        "本期创建、找不到任何询单的订单数（顾客没咨询客服直接下单）。没有个人值：按客服和按团队统计时为空。",
        "Orders created in the period that belong to no inquiry (the customer bought without asking). No "
        "per-agent value: empty in agent and team rows.",
    ),
    "csat": GlossaryEntry(
        "有评价的会话中评价为4-5分（满意）的比例。会话的评价归属于最后一位人工回复的客服。",
        "Share of rated conversations rated 4-5 (satisfied). A conversation's rating belongs to its last "
        "human replier.",
    ),
    "rating_rate": GlossaryEntry(
        "有评价的会话 ÷ 有人工回复的会话：顾客参与服务评价的比例，邀评效果的指标。",
        "Rated conversations / conversations with a human reply: how often customers rate the service; the "
        "measure of rating invitations.",
    ),
    "bad_review_rate": GlossaryEntry(
        "本期商品评价中1-2分（差评）的比例。评价按创建时间归属，按客服统计时跟随其订单的归属客服。越低越好。",
        "Share of the period's product reviews rated 1-2 (bad). Reviews belong by creation time; per agent "
        "they follow their order's credited agent. Lower is better.",
    ),
    "neutral_bad_review_rate": GlossaryEntry(
        "本期商品评价中1-3分（中评和差评）的比例。越低越好。",
        "Share of the period's product reviews rated 1-3 (neutral or bad). Lower is better.",
    ),
    "aftersale_completion_rate": GlossaryEntry(
        "本期开启、未取消的售后中，在时限内（开启时间 + 该类型的时限，默认48小时，店铺可按类型设置）关闭"
        "（完成或驳回）的比例；分母为截至统计时刻已关闭或已超时的售后，尚未到期的未关闭售后不计入。",
        "Share of the after-sales opened in the period (not cancelled) that were closed (completed or "
        "rejected) by their due time (opened + the SLA of their kind, 48 h by default, a shop setting per "
        "kind); out of those closed or already past due as of now. Open ones not yet due are left out.",
    ),
    "aftersale_duration_avg": GlossaryEntry(
        "本期关闭（完成或驳回）的售后的平均处理时长：关闭时间 − 开启时间。越短越好。",
        "Mean of (closed − opened) of the after-sales completed or rejected in the period. Lower is better.",
    ),
    "refund_rate": GlossaryEntry(
        "本期完成的退款/退货售后 ÷ 本期付款的订单数（按付款时间）。越低越好。",
        "Refunds and returns completed in the period / orders paid in the period (by payment time). "
        "Lower is better.",
    ),
    "dispute_rate": GlossaryEntry(
        "本期关闭的、平台介入且判定卖家责任的售后 ÷ 本期付款的订单数。平台考核的纠纷退款率，越低越好。",
        "After-sales closed in the period with platform intervention judged against the seller / orders paid "
        "in the period. The platforms' dispute rate; lower is better.",
    ),
    "online_hours": GlossaryEntry(
        "客服处于在线或忙碌状态的时长（小时），来自客服状态记录；最后一条状态持续到统计期结束或当前时刻。"
        "团队和店铺为其客服之和。",
        "Hours in the online or busy status, from agent status records; the last status lasts until the end "
        "of the period or now. For a team or shop, the sum over its agents.",
    ),
    "conversations_per_online_hour": GlossaryEntry(
        "接待会话数 ÷ 在线时长：每在线一小时接待的会话数，衡量工作负荷与效率。在线时长为0时为空。",
        "Conversations received / online hours: conversations served per online hour, a measure of workload "
        "and efficiency. Empty when there are no online hours.",
    ),
}


def glossary_text(key: str) -> str:
    """The long definition of a metric in the active language ("" for an unknown key)."""
    entry = GLOSSARY.get(key)
    return entry.text if entry else ""
