"""Quality-rule violations the demo agents commit, at the low rates real teams show.

Each entry names its spec/qa.md rule, the chance per conversation with a human reply,
and the lines an agent writes. Curt agents break the manners rules more often and
polite ones less, weighted so the team's average stays at the listed rate. Some
lines use the evasions (薇信, V信, ＶＸ) that the forbidden-word rules must see through.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    rate: float  # per conversation with at least one human reply
    lines: tuple[str, ...]
    replaces: bool  # True: replaces one of the agent's replies; False: an extra message
    manners: bool = False  # depends on the agent's manner (curt agents more often)


VIOLATIONS: tuple[Violation, ...] = (
    Violation(
        "rude_language",
        0.003,
        ("爱买不买", "你自己看详情页", "都说了没有，听不懂吗", "不知道", "烦不烦啊，一直问",
         "随便你", "关我什么事，找快递去"),
        replaces=True,
        manners=True,
    ),
    Violation(
        "off_platform",
        0.001,
        ("亲，加我微信{wx}，私下给您便宜点", "加V：{wx} 发您实拍图", "可以加个vx吗，以后有活动通知您",
         "薇信{wx}联系，售后更方便", "直接支付宝转账给我就行，不用走平台", "加个ＶＸ吧：{wx}"),
        replaces=False,
    ),
    Violation(
        "review_bribery",
        0.001,
        ("确认收货后给个五星好评，好评返现5元哦", "晒图好评返3元红包，截图发我就行",
         "五星好评送一双袜子，下次下单备注就行"),
        replaces=False,
    ),
    Violation(
        "absolute_claim",
        0.01,
        ("这款面料是全网最好的", "这是我们店销量第一的款", "绝对不会掉色的", "百分百正品，放心拍",
         "保证不会起球", "顶级工艺，穿多久都不变形", "100%不会缩水"),
        replaces=False,
    ),
    Violation(
        "credential_request",
        0.0005,
        ("麻烦把手机收到的验证码发我一下，帮您操作退款", "退款需要您提供一下支付密码",
         "把银行卡号发我，帮您直接退"),
        replaces=False,
    ),
)

# Relative chance of the manners violations per agent manner (mean over the team ≈ 1).
MANNER_FACTOR = {"polite": 0.3, "plain": 1.0, "curt": 3.0}
MISSED_QUESTION_RATE = 0.02  # the agent leaves the customer's last question unanswered
