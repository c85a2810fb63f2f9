"""The default word lists of spec/qa.md: each rule's violations, evasions and near misses."""

import pytest

from kefu.text.lexicon import RULE_WORDS, rule_matcher

CASES = {
    # rule: (must match, must not match)
    "rude_language": (
        ["滚", "你是傻子吗", "神经病", "你有病吧", "爱买不买", "关我什么事", "你自己看", "听不懂吗",
         "烦不烦", "不知道", "随便你", "你 有 病", "神精病", "爱-买-不-买", "不知道！"],
        ["我也不知道您是否方便", "不知道您什么时候方便", "滚筒洗衣机", "傻瓜式操作", "随便你挑",
         "电脑有病毒", "有病虫害的叶子", "神经病变", "这款滚轮很顺"],
    ),
    "off_platform": (
        ["加我微信", "加V", "vx", "威信", "QQ号", "支付宝转账", "银行卡转账", "线下交易",
         "私下交易",
         "V 信", "ＶＸ", "加-V", "微.信", "薇信", "扣扣号", "zfb转账", "＋Ｖ：kf88"],
        ["支持微信支付和支付宝", "支持微信支付", "请勿添加微信", "为新用户准备了礼品",
         "退款原路退回微信零钱", "平台禁止私下交易", "添加微量元素", "稍加微调"],
    ),
    "review_bribery": (
        ["好评返现", "好评送运费险", "晒图返5元", "五星返现", "给个好评，返现3元", "好 评 返 现",
         "好平返现", "5星返现"],
        ["满300平台自动返现", "返现会在确认收货后到账", "本店不参与好评返现", "感谢您的好评",
         "发现商品有问题请联系我们", "严禁好评返现"],
    ),
    "absolute_claim": (
        ["全网销量第一", "质量是最好的", "国家级认证", "顶级面料", "100%正品", "百分百不掉色",
         "绝对正品", "保证不会起球", "永久保修", "１００％纯天然"],
        ["您最好先量一下尺寸", "你最好提前下单", "最好先试穿", "第一次购买的话", "第一时间联系您",
         "绝对值", "100%纯棉", "不能保证不会有色差", "永久删除数据", "第一件半价"],
    ),
    "credential_request": (
        ["验证码发我", "验证码是多少", "请提供支付密码", "银行卡号告诉我", "密码告诉我一下",
         "验 证 码 发我", "驗證碼多少", "验证马发给我"],
        ["请勿向任何人透露验证码", "验证码不要告诉任何人", "您会收到一条验证码短信",
         "请在页面输入验证码", "客服不会向您索要密码", "忘记密码可以重置", "指纹密码锁",
         "千万不要把支付密码告诉别人"],
    ),
    "greeting": (
        ["您好", "你好", "亲，在的", "在的亲", "欢迎光临", "亲爱的顾客"],
        ["亲肤面料", "现在的价格", "您所在的地区", "我亲自跟进", "你好像拍错了", "很受欢迎"],
    ),
    "closing": (
        ["感谢您的支持", "谢谢亲", "祝您生活愉快", "还有什么可以帮您", "有问题随时联系", "再见"],
        ["价格随时可能调整", "好的，已经为您登记", "快递预计明天送达"],
    ),
    "apology": (
        ["抱歉让您久等了", "不好意思", "对不起", "非常抱歉"],
        ["没关系，不用不好意思", "型号对不起来", "已经为您处理"],
    ),
    "complaint": (
        ["我要投诉", "给差评", "骗子", "我要退款", "卖假货", "物流太慢", "垃圾", "投 诉",
         "为什么不给退款"],
        ["我没有给差评", "不会投诉的", "垃圾袋有几个规格", "快递不算太慢", "不用退款了",
         "确认不是假货"],
    ),
}


def _cases(kind):
    index = 0 if kind == "match" else 1
    return [(rule, text) for rule, pair in CASES.items() for text in pair[index]]


def test_every_default_rule_is_tested():
    assert set(CASES) == set(RULE_WORDS)


@pytest.mark.parametrize(("rule", "text"), _cases("match"))
def test_rule_words_match(rule, text):
    assert rule_matcher(rule).search(text) is not None


@pytest.mark.parametrize(("rule", "text"), _cases("no match"))
def test_rule_words_ignore_near_misses(rule, text):
    assert rule_matcher(rule).search(text) is None
