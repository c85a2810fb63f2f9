"""CSV and Excel exports through mapping files (kefu.intake.mapping, docs/import-formats.md)."""

import csv
import gzip
import re
from importlib import resources
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from kefu.intake.mapping import MappingError, TableError, load_mapping, mapped_records, preset_names, table_rows
from kefu.intake.readers import file_records
from kefu.intake.schema import RecordError, record_validate

CHAT_COLUMNS = ["店铺ID", "会话ID", "消息ID", "买家ID", "买家昵称", "客服ID", "发送方", "发送时间", "内容", "自动回复", "满意度"]
ORDER_COLUMNS = [
    "店铺ID", "订单号", "买家ID", "买家昵称", "下单时间", "付款时间", "实付金额", "订单状态", "商品编码", "商品标题", "数量", "单价",
]

CHAT_ROWS = [
    # 店铺ID, 会话ID, 消息ID, 买家ID, 买家昵称, 客服ID, 发送方, 发送时间, 内容, 自动回复, 满意度
    ["s1", "v1", "m1", "c1", "tb_8812", "", "买家", "2026-11-11 20:00:00", "在吗？这款有L码吗", "", ""],
    ["s1", "v1", "m2", "c1", "tb_8812", "a1", "客服", "2026-11-11 20:00:01", "亲，欢迎光临～", "是", ""],
    ["s1", "v1", "m3", "c1", "tb_8812", "a1", "客服", "2026-11-11 20:00:25", "亲，L码有货的", "否", "5"],
    ["s1", "v2", "m4", "c2", "", "", "买家", "2026/11/11 21:05", "发货了吗", "", ""],
    ["s1", "v2", "m5", "c2", "jd_77", "", "机器人", "2026/11/11 21:04", "您好，请问有什么可以帮您", "", "满意"],
]


def write_csv(path: Path, header: list[str], rows: list[list], *, encoding: str = "utf-8") -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list], *, title: str | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_mapping(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def preset_text(name: str) -> str:
    return resources.files("kefu.intake.presets").joinpath(f"{name}.toml").read_text("utf-8")


def records(path: Path, mapping) -> list[tuple[int, dict]]:
    return list(mapped_records(table_rows(path), mapping))


def of_type(pairs: list[tuple[int, dict]], kind: str) -> list[dict]:
    return [record for _, record in pairs if record["type"] == kind]


@pytest.fixture
def chat_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "chat.csv", CHAT_COLUMNS, CHAT_ROWS)


# ---- presets -----------------------------------------------------------------------


def test_presets_are_listed_and_load():
    assert preset_names() == ["chat-log", "orders"]
    assert sorted(load_mapping("chat-log").columns) == sorted(CHAT_COLUMNS)
    assert sorted(load_mapping("orders").columns) == sorted(ORDER_COLUMNS)
    assert load_mapping("chat-log").timezone == "Asia/Shanghai"


def test_chat_log_preset_makes_events_md_records(chat_csv):
    pairs = records(chat_csv, load_mapping("chat-log"))

    assert [r["type"] for _, r in pairs] == ["customer"] * 2 + ["conversation"] * 2 + ["message"] * 5
    for _, record in pairs:
        record_validate(record)
    assert pairs[0] == (2, {"type": "customer", "id": "c1", "shop_id": "s1", "nick": "tb_8812"})
    assert pairs[4][1] == {
        "type": "message", "id": "m1", "conversation_id": "v1", "shop_id": "s1",
        "sent_at": "2026-11-11T20:00:00+08:00", "sender": "customer", "text": "在吗？这款有L码吗",
    }
    assert pairs[5][1]["sender"] == "agent" and pairs[5][1]["agent_id"] == "a1" and pairs[5][1]["is_auto"] is True


def test_orders_preset_makes_an_order_with_one_item(tmp_path):
    path = write_csv(tmp_path / "orders.csv", ORDER_COLUMNS, [
        ["s1", "o1", "c1", "tb_8812", "2026-11-11 20:05:00", "2026-11-11 20:05:40", "¥1,299.00", "交易成功",
         "SKU-1", "羽绒服 L", "2", "649.50"],
        ["s1", "o2", "c1", "", "2026-11-12 09:00:00", "", "59", "等待付款", "", "", "", ""],
    ])
    pairs = records(path, load_mapping("orders"))

    for _, record in pairs:
        record_validate(record)
    assert of_type(pairs, "customer") == [{"type": "customer", "id": "c1", "shop_id": "s1", "nick": "tb_8812"}]
    first, second = of_type(pairs, "order")
    assert first == {
        "type": "order", "id": "o1", "shop_id": "s1", "customer_id": "c1",
        "created_at": "2026-11-11T20:05:00+08:00", "paid_at": "2026-11-11T20:05:40+08:00",
        "amount": "1299.00", "status": "交易成功",
        "items": [{"sku": "SKU-1", "title": "羽绒服 L", "qty": 2, "price": "649.50"}],
    }
    assert "paid_at" not in second and "items" not in second  # empty cells leave the field out


# ---- distinct records, aggregates, lines ---------------------------------------------


def test_min_and_max_aggregate_over_the_rows_of_an_id(chat_csv):
    conversations = of_type(records(chat_csv, load_mapping("chat-log")), "conversation")

    assert conversations[0]["started_at"] == "2026-11-11T20:00:00+08:00"
    assert conversations[0]["ended_at"] == "2026-11-11T20:00:25+08:00"
    assert conversations[1]["started_at"] == "2026-11-11T21:04:00+08:00"  # the later row is the earlier time
    assert conversations[1]["ended_at"] == "2026-11-11T21:05:00+08:00"


def test_distinct_records_take_the_first_non_empty_value(chat_csv):
    pairs = records(chat_csv, load_mapping("chat-log"))

    assert of_type(pairs, "customer")[1]["nick"] == "jd_77"
    assert [c["rating"] for c in of_type(pairs, "conversation")] == [5, 4]  # "满意" through the preset's map


def test_distinct_records_come_first_with_the_line_of_their_first_row(tmp_path):
    rows = [CHAT_ROWS[3], CHAT_ROWS[0], ["", "", "", "", "", "", "", "", "", "", ""], CHAT_ROWS[1]]
    path = write_csv(tmp_path / "chat.csv", CHAT_COLUMNS, rows)
    pairs = records(path, load_mapping("chat-log"))

    assert [(line, r["type"], r["id"]) for line, r in pairs] == [
        (2, "customer", "c2"), (3, "customer", "c1"),
        (2, "conversation", "v2"), (3, "conversation", "v1"),
        (2, "message", "m4"), (3, "message", "m1"), (5, "message", "m2"),  # the blank row 4 is counted
    ]


def test_a_buyer_of_two_shops_is_two_customers(tmp_path):
    rows = [CHAT_ROWS[0], ["s2", "v9", "m9", "c1", "tb_8812", "", "买家", "2026-11-11 22:00:00", "你好", "", ""]]
    pairs = records(write_csv(tmp_path / "chat.csv", CHAT_COLUMNS, rows), load_mapping("chat-log"))

    assert [(c["shop_id"], c["id"]) for c in of_type(pairs, "customer")] == [("s1", "c1"), ("s2", "c1")]


# ---- values --------------------------------------------------------------------------


def test_an_unmapped_value_passes_through_for_intake_to_reject(tmp_path):
    rows = [["s1", "v1", "m1", "c1", "", "", "顾客", "2026-11-11 20:00:00", "在吗", "", ""]]
    path = write_csv(tmp_path / "c.csv", CHAT_COLUMNS, rows)
    message = of_type(records(path, load_mapping("chat-log")), "message")[0]

    assert message["sender"] == "顾客"
    with pytest.raises(RecordError, match="sender '顾客' is not one of: customer, agent, bot, system"):
        record_validate(message)


TYPES_MAPPING = """
name = "types"
timezone = "Asia/Shanghai"
[[record]]
type = "agent"
[record.fields]
id = "工号"
name = "姓名"
team = { const = "售前一组" }
active = { column = "在职", type = "bool", default = "是" }
skills = { column = "技能", type = "list", sep = "、" }
hired_on = "入职日期"
[[record]]
type = "order"
[record.fields]
id = { hash = ["工号", "入职日期"] }
shop_id = { const = "s1" }
customer_id = "工号"
created_at = "入职日期"
amount = { column = "金额", type = "money" }
status = { column = "等级", type = "int" }
"""


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("是", True), ("否", False), ("true", True), ("FALSE", False), ("1", True), ("0", False), ("y", True),
     ("N", False), ("", True), ("也许", "也许")],
)
def test_bool_cells(tmp_path, cell, expected):
    mapping = load_mapping(write_mapping(tmp_path / "types.toml", TYPES_MAPPING))
    path = write_csv(tmp_path / "t.csv", ["工号", "姓名", "在职", "技能", "入职日期", "金额", "等级"],
                     [["a1", "小美", cell, "", "2026/3/1", "1", "3"]])

    assert of_type(records(path, mapping), "agent")[0]["active"] == expected  # "" takes the default 是


def test_list_int_money_const_and_date_cells(tmp_path):
    mapping = load_mapping(write_mapping(tmp_path / "types.toml", TYPES_MAPPING))
    path = write_csv(tmp_path / "t.csv", ["工号", "姓名", "在职", "技能", "入职日期", "金额", "等级"],
                     [["a1", "小美", "是", "presale、 vip、", "2026/3/1", "￥1,299.5", "3.0"]])
    agent, order = (r for _, r in records(path, mapping))

    assert agent == {"type": "agent", "id": "a1", "name": "小美", "team": "售前一组", "active": True,
                     "skills": ["presale", "vip"], "hired_on": "2026-03-01"}
    assert order["amount"] == "1299.5"  # kept a string: stored exactly by intake
    assert order["status"] == 3
    record_validate(agent)


def test_hash_ids_are_stable_across_runs(tmp_path):
    mapping = load_mapping(write_mapping(tmp_path / "types.toml", TYPES_MAPPING))
    header = ["工号", "姓名", "在职", "技能", "入职日期", "金额", "等级"]
    rows = [["a1", "小美", "", "", "2026-03-01", "1", "1"], ["a2", "小丽", "", "", "2026-03-01", "1", "1"]]
    first = [r["id"] for r in of_type(records(write_csv(tmp_path / "1.csv", header, rows), mapping), "order")]
    again = [r["id"] for r in of_type(records(write_csv(tmp_path / "2.csv", header, rows), mapping), "order")]

    assert first == again
    assert first[0] != first[1]
    assert all(re.fullmatch(r"[0-9a-f]{16}", ext) for ext in first)


def test_hash_ids_are_the_same_from_csv_and_excel(tmp_path):
    mapping = load_mapping(write_mapping(tmp_path / "types.toml", TYPES_MAPPING))
    header = ["工号", "姓名", "在职", "技能", "入职日期", "金额", "等级"]
    from_csv = records(write_csv(tmp_path / "t.csv", header, [["1001", "小美", "", "", "2026/3/1 9:00", "1", "1"]]),
                       mapping)
    from_xlsx = records(write_xlsx(tmp_path / "t.xlsx", header, [[1001, "小美", None, None, datetime(2026, 3, 1, 9),
                                                                  1, 1]]), mapping)

    assert of_type(from_csv, "order")[0]["id"] == of_type(from_xlsx, "order")[0]["id"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-11 20:00:03", "2026-11-11T20:00:03+08:00"),
        ("2026/11/11 20:00", "2026-11-11T20:00:00+08:00"),
        ("2026/1/5 9:03:07", "2026-01-05T09:03:07+08:00"),
        ("2026-11-11T20:00:03", "2026-11-11T20:00:03+08:00"),
        ("2026年11月11日 20:00", "2026-11-11T20:00:00+08:00"),
        ("2026-11-11T12:00:03Z", "2026-11-11T12:00:03Z"),  # an offset of its own is kept as written
        ("2026-11-11 20:00:03+09:00", "2026-11-11 20:00:03+09:00"),
        ("昨天晚上", "昨天晚上"),  # unreadable: passed on for intake to reject
    ],
)
def test_time_cells_get_the_mapping_timezone(tmp_path, cell, expected):
    rows = [["s1", "v1", "m1", "c1", "", "", "买家", cell, "在吗", "", ""]]
    path = write_csv(tmp_path / "c.csv", CHAT_COLUMNS, rows)
    message = of_type(records(path, load_mapping("chat-log")), "message")[0]

    assert message["sent_at"] == expected


def test_a_time_without_offset_and_no_mapping_timezone_is_left_for_intake_to_reject(tmp_path):
    text = preset_text("chat-log").replace('timezone = "Asia/Shanghai"', "")
    mapping = load_mapping(write_mapping(tmp_path / "no-zone.toml", text))
    message = of_type(records(write_csv(tmp_path / "c.csv", CHAT_COLUMNS, CHAT_ROWS[:1]), mapping), "message")[0]

    assert mapping.timezone is None
    assert message["sent_at"] == "2026-11-11T20:00:00"
    with pytest.raises(RecordError, match="sent_at has no UTC offset"):
        record_validate(message)


# ---- files ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "encoding"), [("utf8.csv", "utf-8"), ("bom.csv", "utf-8-sig"),
                                                ("gbk.csv", "gbk"), ("gz.csv.gz", "utf-8")])
def test_csv_encodings_and_gzip_read_the_same(tmp_path, chat_csv, name, encoding):
    path = write_csv(tmp_path / name, CHAT_COLUMNS, CHAT_ROWS, encoding=encoding)

    assert table_rows(path).header == CHAT_COLUMNS
    assert records(path, load_mapping("chat-log")) == records(chat_csv, load_mapping("chat-log"))


def test_tab_separated_text_under_a_csv_name(tmp_path, chat_csv):
    path = tmp_path / "tabs.csv"
    path.write_text("\n".join("\t".join(row) for row in [CHAT_COLUMNS, *CHAT_ROWS]) + "\n", encoding="utf-8")

    assert records(path, load_mapping("chat-log")) == records(chat_csv, load_mapping("chat-log"))


def test_excel_cells_datetimes_and_numbers(tmp_path):
    rows = [[1001, 88, "m1", 7, "tb_8812", None, "买家", datetime(2026, 11, 11, 20, 0, 3), "在吗", None, 5],
            [1001, 88, "m2", 7, None, "a1", "客服", "2026-11-11 20:00:09", "在的", True, None]]
    path = write_xlsx(tmp_path / "chat.xlsx", CHAT_COLUMNS, rows)
    pairs = records(path, load_mapping("chat-log"))

    for _, record in pairs:
        record_validate(record)
    conversation = of_type(pairs, "conversation")[0]
    assert conversation == {"type": "conversation", "id": "88", "shop_id": "1001", "customer_id": "7",
                            "started_at": "2026-11-11T20:00:03+08:00", "ended_at": "2026-11-11T20:00:09+08:00",
                            "rating": 5}
    assert [line for line, r in pairs if r["type"] == "message"] == [2, 3]
    assert of_type(pairs, "message")[1]["is_auto"] is True


def test_the_mapping_names_the_excel_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["这是一张说明页"])
    sheet = workbook.create_sheet("聊天记录")
    sheet.append(CHAT_COLUMNS)
    sheet.append(CHAT_ROWS[0])
    workbook.save(tmp_path / "chat.xlsx")
    mapping = load_mapping(write_mapping(tmp_path / "sheet.toml", 'sheet = "聊天记录"\n' + preset_text("chat-log")))

    assert [r["id"] for r in of_type(records(tmp_path / "chat.xlsx", mapping), "message")] == ["m1"]


def test_a_file_neither_utf8_nor_gbk_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("店铺ID,会话ID\n".encode() + b"\xff\xff,v1\n")

    with pytest.raises(TableError, match="cannot read the file as UTF-8 or as GBK/GB18030"):
        table_rows(path).header


def test_an_unknown_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "chat.xlsx", CHAT_COLUMNS, CHAT_ROWS, title="消息")

    with pytest.raises(TableError, match="no sheet '聊天'; the sheets are: 消息"):
        table_rows(path, sheet="聊天").header


def test_a_missing_column_stops_the_file_before_any_row(tmp_path):
    header = [c for c in CHAT_COLUMNS if c != "自动回复"]
    path = write_csv(tmp_path / "c.csv", header, [row[:9] + row[10:] for row in CHAT_ROWS])

    with pytest.raises(MappingError, match=r"column '自动回复' named by mapping 'chat-log' not in the file; "
                                           r"its columns are: 店铺ID, 会话ID"):
        mapped_records(table_rows(path), load_mapping("chat-log"))
    with pytest.raises(MappingError, match="自动回复"):
        next(file_records(path, mapping=load_mapping("chat-log")))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\n', "no \\[\\[record\\]\\] tables"),
        ('[[record]]\ntype = "chat"\n[record.fields]\nid = "a"\n', "type 'chat' is not one of"),
        ('[[record]]\ntype = "customer"\n[record.fields]\nid = "a"\n', "missing required field shop_id"),
        ('[[record]]\ntype = "customer"\n[record.fields]\nid = "a"\nshop_id = "b"\nnickname = "c"\n',
         "customer has no field 'nickname'"),
        ('[[record]]\ntype = "conversation"\n[record.fields]\nid = "a"\nshop_id = "b"\ncustomer_id = "c"\n'
         'started_at = "min:d"\n', "only a distinct record"),
        ('timezone = "Asia/Beijing"\n[[record]]\ntype = "customer"\n[record.fields]\nid = "a"\nshop_id = "b"\n',
         "not a known timezone"),
        ('[[record]]\ntype = "customer"\n[record.fields]\nid = "a"\nshop_id = { column = "b", type = "float" }\n',
         "type 'float' is not one of"),
        ('[[record]\n', "not a valid TOML file"),
    ],
)
def test_a_bad_mapping_says_what_is_wrong(tmp_path, text, message):
    with pytest.raises(MappingError, match=message):
        load_mapping(write_mapping(tmp_path / "bad.toml", text))


def test_an_unknown_preset_lists_the_presets():
    with pytest.raises(MappingError, match="no preset 'chatlog'; the presets are: chat-log, orders"):
        load_mapping("chatlog")


# ---- end to end ----------------------------------------------------------------------


def chat_log_rows(count: int) -> list[list[str]]:
    rows = []
    for n in range(count):
        conversation = n // 10
        sender, agent = ("买家", "") if n % 2 == 0 else ("客服", "a1")
        rows.append([
            "s1", f"v{conversation}", f"m{n}", f"c{conversation}", f"tb_{conversation}", agent, sender,
            f"2026-11-11 20:{conversation:02d}:{n % 10:02d}", f"消息 {n}", "否", "5" if n % 10 == 9 else "",
        ])
    return rows


@pytest.mark.django_db
def test_a_chat_log_csv_imports_with_its_bad_rows_rejected_at_their_lines(tmp_path):
    from kefu.conversations.models import Conversation, Message
    from kefu.intake.services import events_import

    events_import(records=[(1, {"type": "shop", "id": "s1", "name": "旗舰店", "platform": "tmall"})])
    rows = chat_log_rows(50)
    rows[10][6] = "顾客"  # line 12: not a sender the preset maps
    rows[30][7] = "2026-11-31 20:03:00"  # line 32: no such day
    path = write_csv(tmp_path / "chat.csv", CHAT_COLUMNS, rows, encoding="gbk")

    _, summary = events_import(records=file_records(path, mapping=load_mapping("chat-log")))

    assert summary.created == {"customer": 5, "conversation": 5, "message": 48}
    assert [(r.line, r.type, r.id) for r in summary.rejected] == [(12, "message", "m10"), (32, "message", "m30")]
    assert "sender '顾客'" in summary.rejected[0].reason
    assert "2026-11-31 20:03:00" in summary.rejected[1].reason
    assert Message.objects.count() == 48
    # The unreadable time of m30 takes no part in min:, so its conversation still imports.
    assert Conversation.objects.get(ext_id="v3").started_at.isoformat() == "2026-11-11T12:03:01+00:00"

    _, again = events_import(records=file_records(path, mapping=load_mapping("chat-log")))

    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert again.unchanged == {"customer": 5, "conversation": 5, "message": 48}
    assert Message.objects.count() == 48
