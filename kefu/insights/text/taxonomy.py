"""The issue taxonomy: default categories, their keyword rules, and default aspect words.

A supervisor edits the taxonomy (names and keywords); :data:`DEFAULT_TAXONOMY` is what a
shop starts with. Before a category model is trained (``kefu insights train --task
category``), a text gets the categories whose keywords it contains; a trained model
replaces the keywords with what it learned from labelled texts.

The keyword lists and aspect words below were written for Kefu (not taken from any
corpus).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_ASPECTS", "DEFAULT_TAXONOMY", "OTHER", "Category", "keyword_categories"]

OTHER = "其他"


@dataclass(frozen=True, slots=True)
class Category:
    """One issue category and the words that suggest it (rules before a model exists)."""

    name: str
    keywords: tuple[str, ...] = ()


def _category(name: str, words: str) -> Category:
    return Category(name, tuple(words.split()))


DEFAULT_TAXONOMY: tuple[Category, ...] = (
    _category("物流-延迟", "太慢 好慢 很慢 还没到 没到 还没发 不发货 迟迟 延迟 等了 催了 几天了 怎么还没 物流慢 发货慢 配送慢"),
    _category("物流-破损", "破损 压坏 摔坏 碎了 压扁 磕坏 漏了 撒了 变形 外箱破"),
    _category("物流-丢件", "丢件 丢了 没收到 未收到 收不到 少发 漏发 显示签收 被签收 找不到快递"),
    _category("质量", "质量差 质量不好 质量问题 做工差 做工粗糙 开线 起球 掉色 褪色 坏了 故障 异味 发霉 变质 过期 瑕疵 劣质"),
    _category("尺码/规格", "尺码 偏大 偏小 太大 太小 码数 尺寸 不合身 大了 小了 规格 型号不对"),
    _category("描述不符", "描述不符 与描述 和描述 图片不符 色差 跟图片 和图片 不一样 货不对板 假货 不是正品 假的"),
    _category("包装", "包装 盒子 包装盒 外包装 简陋 太随便"),
    _category("价格/优惠", "价格 降价 贵了 太贵 优惠 优惠券 满减 差价 价保 赠品 活动 便宜"),
    _category("服务态度", "态度 客服 不理人 不回复 爱答不理 敷衍 服务差 不耐烦"),
    _category("售后流程", "退货 退款 换货 售后 补发 退回 运费险 申请 审核 不给退 拒绝退"),
    _category("功效/使用", "效果 没效果 功效 不好用 难用 使用 用了 吸收 过敏 刺激 保湿 美白"),
    _category(OTHER, ""),
)

# Aspect words a review names, with the issue category each belongs to. The trained
# aspect lexicon adds the words it learns; these are the defaults.
DEFAULT_ASPECTS: dict[str, str] = {
    **dict.fromkeys("物流 快递 发货 送货 配送 到货 快递员 快递小哥 物流速度 发货速度 送货速度 速度".split(), "物流-延迟"),
    **dict.fromkeys("包装 外包装 包装盒 盒子 箱子 外观".split(), "包装"),
    **dict.fromkeys("尺码 尺寸 大小 码数 码子 长度 规格".split(), "尺码/规格"),
    **dict.fromkeys("质量 做工 品质 面料 布料 材质 质地 手感 料子 用料 颜色 味道 气味 香味".split(), "质量"),
    **dict.fromkeys("价格 价钱 性价比 价位 优惠 活动 赠品 小样".split(), "价格/优惠"),
    **dict.fromkeys("客服 服务 态度 服务态度 卖家 店家 掌柜".split(), "服务态度"),
    **dict.fromkeys("售后 退货 退款 换货".split(), "售后流程"),
    **dict.fromkeys("效果 功效 保湿 补水 美白 遮瑕 控油 清洁 吸收 上妆 持久 续航 音质 屏幕 电池".split(), "功效/使用"),
    **dict.fromkeys("描述 图片 实物 色差".split(), "描述不符"),
}


def keyword_categories(text: str, taxonomy: tuple[Category, ...] = DEFAULT_TAXONOMY) -> list[str]:
    """The categories whose keywords occur in ``text`` (already normalised); none: []."""
    return [c.name for c in taxonomy if any(word in text for word in c.keywords)]
