"""Script library: versions, approval rules, pack visibility, rendering, permissions, stats,
Excel import/export, API."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from kefu.core.errors import Conflict, NotFound, PermissionDenied
from kefu.core.testing.factories import ConversationFactory, CustomerFactory, LogisticsEventFactory, OrderFactory
from kefu.metrics.models import OrderFact
from kefu.scripts import selectors, services, spreadsheets
from kefu.scripts.choices import Scope, Status
from kefu.scripts.models import Category, Script
from kefu.scripts.permissions import script_get_for_user
from kefu.shops.models import Promotion

pytestmark = pytest.mark.django_db


@pytest.fixture
def logistics():
    return Category.objects.get(key="logistics", shop__isnull=True)


def _shop_script(agent_user, logistics, shop, title="到货时间"):
    return services.script_create(actor=agent_user, category=logistics, title=title,
                                  body="亲，{客户昵称}的订单{订单号}预计明天到货", keywords="到货，明天", shop=shop)


def test_defaults_are_seeded():
    assert Category.objects.filter(shop__isnull=True).count() == 10
    assert Script.objects.filter(status=Status.APPROVED, approved_version__isnull=False).count() >= 20


def test_every_save_is_a_version_and_approved_one_stays_in_use(agent_user, team_lead, logistics, shop):
    script = _shop_script(agent_user, logistics, shop)
    services.script_submit(actor=agent_user, script=script)
    services.script_approve(actor=team_lead, script=script, comment="好")
    script.refresh_from_db()
    approved = script.approved_version
    services.script_edit(actor=team_lead, script=script, title="到货时间", body="新的内容", keywords=[])
    script.refresh_from_db()
    assert script.versions.count() == 2 and script.current_version.number == 2
    assert script.status == Status.DRAFT and script.approved_version == approved
    assert selectors.script_text(script)[1].startswith("亲")


def test_an_agent_cannot_approve(agent_user, other_agent_user, logistics, shop):
    script = _shop_script(agent_user, logistics, shop)
    services.script_submit(actor=agent_user, script=script)
    with pytest.raises(PermissionDenied):
        services.script_approve(actor=other_agent_user, script=script)
    with pytest.raises(Conflict):
        services.script_reject(actor=None, script=Script.objects.filter(status=Status.APPROVED).first(), comment="x")


def test_unapproved_shop_scripts_are_not_usable_and_personal_ones_are(agent_user, other_agent_user, logistics, shop):
    shop_script = _shop_script(agent_user, logistics, shop)
    personal = services.script_create(actor=agent_user, category=logistics, title="我的", body="好的亲",
                                      scope=Scope.PERSONAL, shop=shop)
    usable = selectors.scripts_usable(user=agent_user, shop=shop)
    assert personal in usable and shop_script not in usable
    assert personal not in selectors.scripts_usable(user=other_agent_user, shop=shop)
    with pytest.raises(NotFound):
        script_get_for_user(user=other_agent_user, script_id=personal.pk)


def test_pack_scripts_only_during_the_promotion(supervisor, logistics, shop, agent_user):
    today = timezone.localdate()
    promo = Promotion.objects.create(name="双11", shop=shop, main_start=today + timedelta(days=3),
                                     main_end=today + timedelta(days=5))
    script = services.script_create(actor=supervisor, category=logistics, title="双11发货", body="双11订单顺延发货",
                                    shop=shop, status=Status.APPROVED)
    pack = services.pack_create(actor=supervisor, promotion=promo)
    services.pack_scripts_set(actor=supervisor, pack=pack, scripts=[script])
    services.pack_publish(actor=supervisor, pack=pack)
    assert script not in selectors.scripts_usable(user=agent_user, shop=shop)
    assert script in selectors.scripts_usable(user=agent_user, shop=shop, today=today + timedelta(days=4))
    assert script not in selectors.scripts_usable(user=agent_user, shop=shop, today=today + timedelta(days=6))
    with pytest.raises(PermissionDenied):
        services.pack_publish(actor=agent_user, pack=pack)


def test_render_fills_from_the_conversation_and_reports_missing(agent_user, shop):
    customer = CustomerFactory(shop=shop, nick="tb_小王")
    order = OrderFactory(shop=shop, customer=customer, ext_id="o88", items=[{"title": "保温杯"}])
    LogisticsEventFactory(shop=shop, order=order, tracking_no="SF1", at=timezone.now() - timedelta(hours=2))
    LogisticsEventFactory(shop=shop, order=order, tracking_no="SF2")
    conversation = ConversationFactory(shop=shop, customer=customer, order=order)
    context = services.render_context(conversation, user=agent_user)
    rendered = services.script_render("{客户昵称}您好，{订单号} {物流单号} {商品名} {店铺名} {客服昵称} {优惠码}", context)
    assert rendered.text == "tb_小王您好，o88 SF2 保温杯 旗舰店 小美 {优惠码}"
    assert rendered.missing == ["优惠码"]


def test_suggest_finds_the_logistics_script(agent_user, shop):
    hits = selectors.script_suggest("我的快递到哪了，怎么还没到", shop=shop, user=agent_user, limit=3)
    assert hits and hits[0].script.category.key == "logistics"


def test_stats_in_sql(agent_user, other_agent_user, shop):
    script = Script.objects.get(title="商品咨询", shop__isnull=True)
    good = ConversationFactory(shop=shop, rating=5)
    bad = ConversationFactory(shop=shop, rating=2)
    unrated = ConversationFactory(shop=shop)
    OrderFact.objects.create(order=OrderFactory(shop=shop), shop=shop, day=timezone.localdate(),
                             week=timezone.localdate(), month=timezone.localdate(), customer_key="k",
                             created_at=timezone.now(), amount=1, driven=True, conversation=good)
    for user, conversation in ((agent_user, good), (agent_user, good), (other_agent_user, bad), (agent_user, unrated)):
        services.script_use_record(actor=user, script=script, conversation=conversation)
    stats = selectors.script_stats(Script.objects.filter(pk=script.pk)).get()
    assert (stats.use_count, stats.agent_count, stats.rated_count, stats.satisfied_count) == (4, 2, 2, 1)
    assert stats.rating_avg == pytest.approx(3.5)
    assert (stats.presale_count, stats.converted_count) == (3, 1)


def _xlsx(rows):
    workbook = Workbook()
    workbook.active.append(spreadsheets.HEADERS[:5])
    for row in rows:
        workbook.active.append(row)
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_import_reports_bad_rows_and_is_idempotent(team_lead):
    rows = [["物流", "顺丰加急", "可以加急哦", "加急", "全店"], ["不存在", "x", "y", "", "全店"],
            ["物流", "", "没有标题", "", "全店"], ["问候", "早安", "早上好", "", "团队"], ["问候", "我的早安", "早", "", "个人"]]
    result = spreadsheets.scripts_import(actor=team_lead, file=_xlsx(rows))
    assert result.created == 2 and [row for row, _why in result.errors] == [3, 4, 5]
    again = spreadsheets.scripts_import(actor=team_lead, file=_xlsx(rows))
    assert again.created == 0 and again.unchanged == 2


def test_import_needs_an_approver(agent_user):
    with pytest.raises(PermissionDenied):
        spreadsheets.scripts_import(actor=agent_user, file=_xlsx([]))


def test_export_lists_the_library(agent_user):
    sheet = load_workbook(BytesIO(spreadsheets.scripts_export(user=agent_user))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(spreadsheets.HEADERS) and len(rows) > 20
