"""Excel import and export of the script library (openpyxl).

Columns: 分类 (category name), 标题, 内容, 关键词 (separated by ，or 、), 范围 (全店/个人 or
shop/personal), 状态 (export only; ignored on import). Import checks every row, reports
each bad one with its row number and reason, keeps the good ones, and is idempotent: a
row whose category and title already exist in the shop is left alone (counted as
unchanged), so importing the same file twice creates nothing the second time."""

from dataclasses import dataclass, field
from io import BytesIO

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from kefu.core.errors import ValidationError
from kefu.scripts import permissions, selectors, services
from kefu.scripts.choices import Scope, Status
from kefu.scripts.models import Category, Script

HEADERS = ["分类", "标题", "内容", "关键词", "范围", "状态"]
SCOPE_NAMES = {"全店": Scope.SHOP, "shop": Scope.SHOP, "个人": Scope.PERSONAL, "personal": Scope.PERSONAL, "": Scope.SHOP}
SCOPE_LABELS = {Scope.SHOP: "全店", Scope.PERSONAL: "个人"}
STATUS_LABELS = {Status.DRAFT: "草稿", Status.PENDING: "待审核", Status.APPROVED: "已审核",
                 Status.REJECTED: "已驳回", Status.ARCHIVED: "已归档"}


def scripts_export(*, user, search: str = "", category: int | None = None) -> bytes:
    """The library the user sees, as an .xlsx file."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "话术库"
    sheet.append(HEADERS)
    for script in selectors.script_library(user=user, search=search, category=category):
        sheet.append([script.category.name, script.title, script.body, "，".join(script.keywords),
                      SCOPE_LABELS[script.scope], STATUS_LABELS[script.status]])
    for column, width in zip("ABCDEF", (10, 18, 60, 30, 8, 8)):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _cell(row, index) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def scripts_import(*, actor, file, shop=None) -> ImportResult:
    """Import scripts from an .xlsx file (see the module's docstring). Shop-wide rows are
    created approved: only approvers import."""
    permissions.check(permissions.can_approve(actor))
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("This is not an Excel (.xlsx) file."), code="not_xlsx") from exc
    rows = list(workbook.active.iter_rows(values_only=True))
    result = ImportResult()
    if not rows or [_cell(rows[0], i) for i in range(4)] != HEADERS[:4]:
        raise ValidationError(_("The first row must be the headers: 分类, 标题, 内容, 关键词, 范围."), code="bad_headers")
    categories = {c.name: c for c in Category.objects.filter(Q(shop=shop) | Q(shop__isnull=True))}
    for number, row in enumerate(rows[1:], start=2):
        if not any(_cell(row, i) for i in range(5)):
            continue
        name, title, body, keywords, scope_name = (_cell(row, i) for i in range(5))
        category = categories.get(name)
        scope = SCOPE_NAMES.get(scope_name.lower() if scope_name.isascii() else scope_name)
        if category is None:
            result.errors.append((number, _("unknown category “%(name)s”") % {"name": name}))
            continue
        if scope is None:
            result.errors.append((number, _("unknown scope “%(scope)s” (全店 or 个人)") % {"scope": scope_name}))
            continue
        existing = Script.objects.filter(category=category, title=title, shop=shop, scope=scope)
        if scope == Scope.PERSONAL:
            existing = existing.filter(owner=actor)
        if title and existing.exists():
            result.unchanged += 1
            continue
        try:
            with transaction.atomic():
                services.script_create(actor=actor, category=category, title=title, body=body, keywords=keywords,
                                       scope=scope, shop=shop, status=Status.APPROVED)
        except ValidationError as error:
            result.errors.append((number, str(error.message)))
            continue
        result.created += 1
    return result
