"""The customer archive (客户档案) in a real browser: a supervisor searches the archive,
opens a customer, reads why the automatic tags were given, saves the search as a segment
and exports the segment's consenting customers to Excel."""

import urllib.request
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from e2e.pages import figure, login
from kefu.accounts.roles import Role
from kefu.accounts.tests.factories import PASSWORD, UserFactory
from kefu.commerce.models import AfterSaleStatus
from kefu.conversations.models import Sender
from kefu.core.models import AuditEntry
from kefu.core.testing.factories import (
    AfterSaleFactory,
    ConversationFactory,
    CustomerFactory,
    MessageFactory,
    OrderFactory,
    ReviewFactory,
    ShopFactory,
)
from kefu.customers.models import Segment


def wait(page) -> None:
    page.wait_for_load_state("networkidle")


def world():
    shop = ShopFactory(ext_id="s1", name="旗舰店")
    UserFactory(username="zhuguan", display_name="王主管", roles=[Role.SUPERVISOR], shops=[shop])
    now = timezone.now()
    wang = CustomerFactory(shop=shop, ext_id="c-wang", nick="王姐爱逛街", vip_level="V3", phone="13912345678",
                           marketing_consent=True, tags=["双11老客"])
    amounts = ("2680.00", "1999.00", "899.50")
    orders = []
    for days, amount in zip((200, 90, 12), amounts):
        at = now - timedelta(days=days)
        orders.append(OrderFactory(shop=shop, customer=wang, customer_ext="c-wang", ext_id=f"TB{days}",
                                   amount=Decimal(amount), created_at=at, paid_at=at, status="已完成"))
    ReviewFactory(shop=shop, order=orders[2], customer=wang, rating=2, text="颜色和图片差太多了",
                  created_at=now - timedelta(days=5))
    AfterSaleFactory(shop=shop, order=orders[2], kind="return", status=AfterSaleStatus.REJECTED,
                     opened_at=now - timedelta(days=6), reason="色差")
    conversation = ConversationFactory(shop=shop, customer=wang, started_at=now - timedelta(days=13))
    for n, text in enumerate(("这件能便宜点吗", "包邮吗亲", "再少点我就拍了", "好的")):
        MessageFactory(conversation=conversation, sender=Sender.CUSTOMER, text=text,
                       sent_at=now - timedelta(days=13) + timedelta(minutes=n))
    # Another VIP who never agreed to marketing: never in an export.
    CustomerFactory(shop=shop, ext_id="c-li", nick="李先生", vip_level="V1", phone="13700001111")
    CustomerFactory(shop=shop, ext_id="c-new", nick="新客小张")
    return wang


def warm_up(page) -> None:
    # The live server's first request imports the URL conf, the API and the translation
    # catalogues: seconds on a busy two-core machine, longer than a page's time-out.
    urllib.request.urlopen(f"{page.base_url}/login/", timeout=120).read()


def test_supervisor_searches_reads_tags_saves_and_exports_a_segment(page, screenshot):
    wang = world()
    warm_up(page)
    login(page, "zhuguan", PASSWORD)

    # 1. Search the archive for VIPs.
    page.goto(f"{page.base_url}/customers/")
    wait(page)
    assert page.locator("[data-customer]").count() == 3
    page.select_option("#id_auto_tag", "vip")
    page.click("[data-customer-filters] button[type=submit]")
    wait(page)
    rows = page.locator("[data-customer]")
    assert rows.count() == 2
    assert "13912345678" not in page.content()  # masked everywhere
    screenshot("customers-search")

    # 2. Open the customer: figures, tags and why.
    page.click(f'[data-customer="{wang.pk}"] a')
    wait(page)
    assert page.url.endswith(f"/customers/{wang.pk}/")
    assert figure(page, "order_count") == "3"
    assert figure(page, "lifetime_value") == "5578.50"  # 2680.00 + 1999.00 + 899.50, exact
    assert figure(page, "aov") == "1859.50"
    tags = page.locator("[data-auto-tags]")
    assert tags.locator('[data-auto-tag="vip"]').inner_text().startswith("VIP客户")
    assert "会员等级 V3" in tags.locator('[data-auto-tag="vip"]').inner_text()
    assert "共 3 条讲价消息" in tags.locator('[data-auto-tag="bargainer"]').inner_text()
    risk = tags.locator('[data-auto-tag="bad_review_risk"]').inner_text()
    assert "1-2 星评价" in risk and "被拒绝或有争议的售后" in risk
    assert "颜色和图片差太多了" in page.locator("[data-reviews]").inner_text()
    assert "138" not in page.locator('[data-field="phone"]').inner_text()
    page.fill("[data-tag-add] input[name=name]", "高复购")
    page.click("[data-tag-add] button")
    wait(page)
    assert page.locator('[data-manual-tag="高复购"]').count() == 1
    screenshot("customers-detail")

    # 3. Save the search as a segment.
    page.goto(f"{page.base_url}/customers/?auto_tag=vip")
    wait(page)
    page.click("[data-save-segment]")
    wait(page)
    assert page.locator("#id_auto_tag").input_value() == "vip"
    page.fill("#id_name", "VIP 回访名单")
    page.click("[data-segment-form] button[type=submit]")
    wait(page)
    assert "分群已保存" in page.locator(".flash").inner_text()
    row = page.locator('[data-segment="VIP 回访名单"]')
    assert row.locator("[data-count]").inner_text() == "2"
    assert row.locator("[data-consenting]").inner_text() == "1"
    screenshot("customers-segments")

    # 4. Export it: only the consenting customer, phone masked, audited.
    with page.expect_download() as info:
        row.locator("[data-export]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(open(download.path(), "rb").read())).active
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert rows[0][:2] == ["客户ID", "昵称"]
    assert [r[0] for r in rows[1:]] == ["c-wang"]
    assert rows[1][4] == "139****5678"
    segment = Segment.objects.get()
    entry = AuditEntry.objects.get(action="segment.export")
    assert entry.target_id == str(segment.pk) and entry.detail["exported"] == 1
