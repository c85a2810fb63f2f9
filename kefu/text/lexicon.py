"""The default word lists of spec/qa.md's rules, with what keeps each one precise.

A shop edits these lists (they are defaults, copied into its rule settings); the
exceptions, context words and negations here are the reason the defaults flag
"加我薇信" and not "支持微信支付", "返现" next to 好评 and not "满300平台自动返现". Each
list names the qa.md words first; additions follow and are commented.

The ``complaint`` list is for customer messages (unresolved_complaint); ``greeting``,
``closing`` and ``apology`` are presence checks: a false match there hides a missing
greeting, so they get exceptions too (亲肤, 现在的, 你好像 ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from kefu.text.matcher import PhraseMatcher

__all__ = ["RULE_WORDS", "RuleWords", "rule_matcher"]


@dataclass(frozen=True)
class RuleWords:
    """The arguments of one rule's :class:`PhraseMatcher`."""

    phrases: tuple[str, ...]
    whole: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    context_window: int = 12
    negations: tuple[str, ...] = ()
    negation_window: int = 6
    variants: bool = True
    notes: str = field(default="", compare=False)

    def matcher(self) -> PhraseMatcher:
        return PhraseMatcher(
            self.phrases,
            whole=self.whole,
            exceptions=self.exceptions,
            context=self.context,
            context_window=self.context_window,
            negations=self.negations,
            negation_window=self.negation_window,
            variants=self.variants,
        )


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words that, just before a phrase, turn it into a warning or a refusal.
_PROHIBITIONS = _words(
    "请勿 勿 不要 切勿 千万别 千万不要 不会 不能 不得 严禁 禁止 谨防 不可以 不允许 杜绝 拒绝"
    " 不支持 不接受 不提供 不用 无需 不需要 不必 不建议 别加 别私下 别告诉 别给 别透露 别泄露 别发"
)

RULE_WORDS: dict[str, RuleWords] = {
    "rude_language": RuleWords(
        phrases=_words("滚 傻 神经病 有病 爱买不买 关我什么事 你自己看 听不懂吗 烦不烦 随便你")
        # Additions: the same insults in other words.
        + _words("关你什么事 爱要不要 煞笔 脑残 白痴 你瞎吗 眼瞎 自己不会看吗 不会自己看吗"),
        whole=_words("不知道 我不知道 不清楚 不晓得"),
        exceptions=_words(
            # 滚 and 傻 inside product words.
            "滚筒 滚动 滚轮 滚珠 滚烫 翻滚 滚边 滚刷 滚梳 打滚 滚雪球 滚针 滚压 滚子 滚球 滚滚"
            " 摇滚 滚石 滚瓜烂熟 利滚利 滚圆 滚落 傻瓜式 傻瓜相机 傻瓜机 傻傻分不清 傻眼"
            # Medicine, plants and computers.
            " 神经病变 神经病学 有病毒 有病虫 有病史 有病人 有病变 有病症 有病菌 有病害"
            " 有病斑 有病例"
            # "Pick whichever you like" is helpful, not dismissive.
            " 随便你挑 随便你选 随便你拍 随便你用 随便你搭 你自己看看喜欢 你自己看中"
        ),
        notes="不知道/不清楚 count only as the whole reply; 我也不知道您是否方便 is fine.",
    ),
    "off_platform": RuleWords(
        phrases=_words("微信 加V vx 威信 QQ号 支付宝转账 银行卡转账 线下交易 私下交易")
        + _words("加QQ 私下联系 私下转账 线下转账 线下付款"),
        exceptions=_words(
            # Paying with WeChat Pay on the platform, WeChat as a shop front or refund route.
            "微信支付 微信付款 微信扫码 微信小程序 微信钱包 微信零钱 退回微信 退到微信 退至微信"
            " 返回微信 原路退回 微信登录 绑定微信 微信绑定 微信端 微信购物 微信余额 微信红包"
            " 微信渠道 添加至微信 微信卡包 微信分享 微信等方式"
            # Q-coin top-ups are a product.
            " 充值QQ号 QQ号充值 充到QQ号"
            # "加微" is also 稍加微调, 添加微量元素.
            " 加微调 加微量 加微波 加微米 加微小 加微型 加微弱 加威力"
        ),
        negations=_PROHIBITIONS + _words("没有 不走 不做"),
        negation_window=8,
    ),
    "review_bribery": RuleWords(
        phrases=_words("好评返现 返现 好评送 晒图返 五星返")
        + _words("好评返 好评有礼 好评奖励 好评红包 晒图送 晒单返 评价返现 五星送"),
        context=_words("好评 评价 晒图 晒单 五星 5星 差评 追评 带图 评论 五分 5分"),
        exceptions=_words(
            "平台返现 自动返现 官方返现 下单返现 购物返现 消费返现 信用卡返现 银行返现 返现券"
        ),
        negations=_PROHIBITIONS + _words("不参与 没有 不存在 不搞 不做 无 不涉及 并非 不是"),
        notes="返现 alone is a promotion unless a review word is within 12 characters.",
    ),
    "absolute_claim": RuleWords(
        phrases=_words("最好 第一 国家级 顶级 100% 百分百 绝对 保证不会 永久")
        + _words("最佳 全网最低 史上最 独一无二"),
        exceptions=_words(
            # 最好 as advice ("you had better ...").
            "您最好 你最好 最好先 最好是 最好能 最好还是 最好不要 最好别 最好在 最好提前 最好选"
            " 最好再 最好把 最好联系 最好放 最好等 最好保留 最好当面 最好自己 最好尽快 最好咨询"
            " 最好按照 最好参考 最好根据 最好拍 最好给 最好带 最好核对 最好确认 最好备注"
            " 最好看一下 最好量 最好试 最好及时 最好用温 最好用冷 最好用清水 最好的办法"
            # 第一 as an ordinal.
            " 第一次 第一步 第一时间 第一个 第一件 第一天 第一批 第一单 第一眼 第一条 第一位"
            " 第一种 第一款 第一页 第一张 第一遍 第一项 第一周 第一年 第一套 第一层 第一部分"
            " 第一版 第一印象 第一句 第一排 第一季 第一期 第一段 第一章 第一轮 第一阶段 第一点"
            " 第一份 第一瓶 第一盒 第一包 第一台 第一双 第一箱 第一号 第一单元 第一档 第一手"
            " 第一反应 第一感觉 第一顺位 第一把 第一罐 第一袋 第一笔 第一车队"
            # Composition, battery level, mathematics, brands, account actions.
            " 100%纯棉 100%棉 100%真丝 100%桑蚕丝 100%羊毛 100%羊绒 100%涤纶 100%聚酯纤维"
            " 100%果汁 100%纯果汁 含量100% 到100% 电量100% 百分百纯棉 百分百棉"
            " 绝对值 绝对温度 绝对湿度 绝对路径 绝对零度 顶级域名 永久删除 永久注销 永久冻结"
            " 永久封禁 永久关闭 永久失效 永久牌 永久自行车 最佳赏味 最佳食用 最佳使用"
        ),
        negations=_words("不能 无法 不敢 没法 不可能 不一定 没有 不是 并非 难以 不好说 不能说"),
        negation_window=4,
        # Nobody hides an advertising superlative; homophones would only add noise.
        variants=False,
    ),
    "credential_request": RuleWords(
        phrases=_words("验证码 密码 支付密码 银行卡号") + _words("动态码 校验码 安全码 CVV"),
        # Only asking counts: "您会收到验证码" informs, "请输入验证码" guides.
        context=_words(
            "告诉 提供 发给 发我 发一下 发下 发过来 发来 报一下 报下 报给 给我 说一下 说下 多少"
            " 念一下 读一下 透露 告知 截图 拍照 私信 是什么 回复 打出来 打一下"
        ),
        exceptions=_words(
            "密码锁 密码箱 密码柜 密码键盘 密码本 初始密码 默认密码 出厂密码 wifi密码 无线密码"
        ),
        negations=_PROHIBITIONS + _words("不索要 不会索取 谨防 小心 防止 注意保护"),
        negation_window=8,
    ),
    "greeting": RuleWords(
        phrases=_words("您好 你好 亲 在的 欢迎")
        + _words("早上好 下午好 晚上好 在呢 hi hello 哈喽 为您服务"),
        exceptions=_words(
            "亲自 亲戚 父亲 母亲 亲子 亲测 亲肤 亲水 亲人 亲手 亲眼 亲身 相亲 亲友 亲情 亲密 亲近"
            " 双亲 探亲 亲属 亲朋 亲和 亲切 亲生 亲笔 亲民 乡亲 亲口 亲耳 亲历 亲临 亲吻 亲热"
            " 亲兄弟 亲姐妹 单亲 现在的 所在的 存在的 实在的 正在的 在的时候 自在的 外在的 内在的"
            " 潜在的 不在的 在的话 健在的 住在的 放在的 你好像 您好像 你好好 您好好 为你好 对你好"
            " 受欢迎 现在呢"
        ),
        variants=False,
    ),
    "closing": RuleWords(
        phrases=_words("感谢 谢谢 祝您 还有什么 随时 再见")
        + _words("祝你 拜拜 欢迎下次 欢迎再次 期待您 多谢 感恩"),
        exceptions=_words(
            "随时可能 随时调整 随时变动 随时变化 随时涨价 随时下架 随时结束 随时取消"
            " 还有什么颜色 还有什么款 还有什么尺码 还有什么型号"
        ),
        variants=False,
    ),
    "apology": RuleWords(
        phrases=_words("抱歉 不好意思 对不起")
        + _words("歉意 给您添麻烦 带来不便 对不住 很遗憾 sorry"),
        exceptions=_words("对不起来"),
        negations=_words("不用 无需 不必 没什么好"),
        negation_window=1,
        variants=False,
    ),
    "complaint": RuleWords(
        phrases=_words("投诉 差评 骗子 退款 假货 太慢 垃圾")
        + _words(
            "骗人 欺骗 12315 消协 举报 曝光 维权 坑人 黑店 太差 质量差 态度差 不满意 失望 恶心"
            " 破损 漏发 少发 发错 气死"
        ),
        exceptions=_words(
            "垃圾袋 垃圾桶 垃圾分类 垃圾篓 垃圾箱 垃圾处理 垃圾清理 垃圾站 垃圾车 垃圾筒"
            " 不太慢 不慢 没有差评 没给差评 没有给差评 没有失望 没有假货 没有投诉"
            " 退款已到账 退款已经到账 退款已收到 已收到退款 已经收到退款"
        ),
        # No bare 不/没: "为什么不退款", "还没退款" are complaints.
        negations=_words(
            "不是 并不 不算 也不 不会 不用 无需 不需要 不想 不要 不打算 一点也不 从不 从来不"
        ),
        negation_window=2,
        # Customers do not disguise complaints, and homophones would read 不满一百 as 不满意.
        variants=False,
        notes="For customer messages: signals a complaint for unresolved_complaint.",
    ),
}


@cache
def rule_matcher(name: str) -> PhraseMatcher:
    """The matcher of a default word list (built once per process)."""
    return RULE_WORDS[name].matcher()
