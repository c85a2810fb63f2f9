"""The shipped starter library: the default categories (scenarios) and a few scripts per
category, for every shop. Installed by a data migration and ensured after every migrate
(``defaults_ensure``, idempotent: matched by category key and title, never overwritten)."""

# (key, name, position, presale)
CATEGORIES = [
    ("greeting", "问候", 10, True),
    ("product", "产品介绍", 20, True),
    ("order", "订单查询", 30, False),
    ("logistics", "物流", 40, False),
    ("returns", "退换货", 50, False),
    ("complaint", "投诉安抚", 60, False),
    ("payment", "催付", 70, True),
    ("closing", "结束语", 80, False),
    ("aftersale", "售后", 90, False),
    ("other", "其他", 100, False),
]

# (category key, title, body, keywords)
SCRIPTS = [
    ("greeting", "欢迎语", "{客户昵称}您好，欢迎光临{店铺名}，我是客服{客服昵称}，很高兴为您服务，请问有什么可以帮您？",
     ["你好", "您好", "在吗", "在不在", "有人吗", "客服"]),
    ("greeting", "久等致歉", "{客户昵称}您好，让您久等了，非常抱歉，请问有什么可以帮您？", ["久等", "等了很久", "人呢", "怎么不回"]),
    ("product", "商品咨询", "亲，{商品名}是我们的热销款，质量有保障，请问您想了解尺寸、材质还是功能呢？",
     ["质量", "材质", "功能", "怎么样", "好用吗", "区别", "型号", "参数", "配置"]),
    ("product", "库存与尺码", "亲，这款目前有货的，尺码请参考详情页的尺码表，告诉我您的身高体重，我帮您推荐合适的尺码。",
     ["有货", "库存", "尺码", "尺寸", "大小", "颜色", "现货", "缺货", "到货"]),
    ("product", "价格与优惠", "亲，目前下单可以领取店铺优惠券，活动价以下单页面为准，现在购买很划算哦。",
     ["价格", "多少钱", "优惠", "便宜", "优惠券", "降价", "活动", "保价", "差价", "赠品", "满减"]),
    ("order", "订单查询", "亲，您的订单{订单号}已收到，我这边帮您查询一下订单状态，请稍等。",
     ["订单", "下单", "查单", "订单状态", "拍下", "付款了", "订单号"]),
    ("order", "修改订单", "亲，订单{订单号}还未出库的话可以帮您修改地址或取消订单，请提供新的收货信息。",
     ["修改地址", "改地址", "取消订单", "取消", "改订单", "地址写错", "电话"]),
    ("order", "发票", "亲，订单{订单号}完成后可以在订单详情中申请电子发票，如需增值税专用发票请告诉我开票信息。",
     ["发票", "开票", "增值税", "抬头"]),
    ("logistics", "物流查询", "亲，您的订单{订单号}已经发货，物流单号{物流单号}，正在运输途中，请耐心等待。",
     ["物流", "快递", "到哪", "什么时候到", "几天到", "运单", "派送", "配送", "送货"]),
    ("logistics", "发货时间", "亲，付款后48小时内发货，发货后一般2-3天送达，请耐心等待哦。",
     ["发货", "什么时候发", "几天发", "出库", "没发货", "还没发"]),
    ("logistics", "物流延误", "非常抱歉让您久等了，物流单号{物流单号}我已经帮您催促快递加急派送，有进展马上通知您。",
     ["没收到", "还没到", "太慢", "延误", "不动", "催一下", "没有更新", "没送"]),
    ("returns", "退货流程", "亲，支持七天无理由退货，请在订单{订单号}中申请退货，填写退货物流单号，我们收到后尽快为您退款。",
     ["退货", "退回", "七天无理由", "不想要", "寄回"]),
    ("returns", "换货流程", "亲，可以为您换货，请在订单中申请换货并寄回商品，我们收到后为您重新发出。",
     ["换货", "换一个", "换个", "尺码不合适", "换颜色"]),
    ("returns", "退款进度", "亲，退款已经提交，一般1-3个工作日原路退回，请注意查收。",
     ["退款", "退钱", "钱什么时候", "到账", "原路", "退款进度"]),
    ("complaint", "道歉安抚", "{客户昵称}，非常抱歉给您带来不好的体验，您的心情我完全理解，我马上为您处理，一定给您满意的答复。",
     ["投诉", "生气", "太差", "垃圾", "失望", "骗人", "差评", "态度", "不满意", "欺骗"]),
    ("complaint", "补偿方案", "亲，给您添麻烦了，为表歉意我们为您申请了补偿，您看这样可以吗？", ["赔偿", "补偿", "怎么赔", "赔我"]),
    ("payment", "催付提醒", "亲，您拍下的{商品名}还没有付款哦，库存有限，付款后我们会尽快为您发货。",
     ["付款", "还没付", "拍下", "支付", "待付款"]),
    ("payment", "支付方式", "亲，支持在线支付、白条分期等方式，付款遇到问题可以告诉我，帮您看看。",
     ["分期", "白条", "支付方式", "付不了", "支付失败", "货到付款"]),
    ("closing", "结束语", "感谢您的咨询，祝您生活愉快，有问题随时联系{店铺名}客服{客服昵称}哦。",
     ["谢谢", "好的", "没有了", "没问题", "知道了", "好吧", "再见", "辛苦"]),
    ("closing", "邀请评价", "亲，如果对我的服务满意的话，麻烦给个好评哦，祝您购物愉快。", ["评价", "好评", "满意"]),
    ("aftersale", "维修保修", "亲，商品在保修期内可以免费维修，请提供订单号{订单号}和故障照片，我们为您安排售后。",
     ["维修", "保修", "坏了", "故障", "不能用", "质量问题", "修", "售后"]),
    ("aftersale", "安装使用", "亲，使用说明在包装内，也可以为您预约上门安装服务，请问您方便的时间是？",
     ["安装", "怎么用", "使用", "说明书", "激活", "设置"]),
    ("other", "转人工", "亲，您的问题我需要请专员为您处理，请稍等，马上为您转接。", ["转人工", "专员", "找人"]),
]


def defaults_ensure(apps_registry, using: str = "default") -> None:
    """Create the missing default categories and scripts (approved, every shop, version 1).
    Takes an app registry so that the data migration can pass its historical models."""
    from django.utils import timezone

    Category = apps_registry.get_model("scripts", "Category")
    Script = apps_registry.get_model("scripts", "Script")
    ScriptVersion = apps_registry.get_model("scripts", "ScriptVersion")
    categories = {}
    for key, name, position, presale in CATEGORIES:
        category = Category.objects.using(using).filter(shop__isnull=True, key=key).first()
        if category is None:
            category, _created = Category.objects.using(using).get_or_create(
                shop=None, name=name, defaults={"key": key, "position": position, "presale": presale}
            )
        categories[key] = category
    now = timezone.now()
    for key, title, body, keywords in SCRIPTS:
        category = categories[key]
        if Script.objects.using(using).filter(shop__isnull=True, category=category, title=title).exists():
            continue
        script = Script.objects.using(using).create(
            shop=None, category=category, title=title, body=body, keywords=keywords, scope="shop",
            status="approved", created_at=now, updated_at=now,
        )
        version = ScriptVersion.objects.using(using).create(
            script=script, number=1, title=title, body=body, keywords=keywords, created_at=now
        )
        script.current_version = version
        script.approved_version = version
        script.save(update_fields=["current_version", "approved_version"])
