"""Customer actions, each audited: seeing unmasked personal data, adding and removing
manual tags, saving segments, exporting a segment for campaign outreach."""

from dataclasses import dataclass
from io import BytesIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.core.audit import audit_record
from kefu.core.errors import Conflict, NotFound, PermissionDenied
from kefu.customers import phones
from kefu.customers.masking import mask_phone
from kefu.customers.models import Customer, CustomerTag, Segment
from kefu.customers.selectors import (
    PersonalData,
    customer_masked_data,
    customer_rows,
    segment_customers,
    user_can_export_segments,
    user_can_manage_segments,
    user_can_view_personal_data,
    TAG_PERMISSION,
)

EXPORT_CHUNK = 1000  # customers annotated per query while exporting


@transaction.atomic
def customer_personal_data(*, customer: Customer, user, request=None) -> PersonalData:
    """The customer's phone and address: unmasked (and audited) for users with
    ``accounts.view_personal_data``, masked for everyone else."""
    if not user_can_view_personal_data(user):
        return customer_masked_data(customer=customer)
    audit_record(
        actor=user,
        action="customer.view_personal_data",
        target=customer,
        detail={"fields": ["phone", "address"]},
        request=request,
    )
    return PersonalData(phone=customer.phone, address=customer.address, masked=False)


def customer_phone_hashes_refresh() -> int:
    """Recompute every customer's phone lookup hash (after rotating ``KEFU_DATA_KEY``)."""
    with transaction.atomic():
        return phones.phone_hashes_refresh(model=Customer)


# ---- manual tags ------------------------------------------------------------------------


def _require_tagging(user) -> None:
    if not user.has_perm(TAG_PERMISSION):
        raise PermissionDenied()


@transaction.atomic
def customer_tag_add(*, customer: Customer, name: str, actor, request=None) -> CustomerTag:
    """Give the customer a manual tag; the same tag twice is a ``Conflict``."""
    _require_tagging(actor)
    try:
        with transaction.atomic():
            tag = CustomerTag.objects.create(customer=customer, name=name, created_by=actor, created_at=timezone.now())
    except IntegrityError:
        raise Conflict(_("The customer already has this tag.")) from None
    audit_record(actor=actor, action="customer.tag_add", target=customer, detail={"tag": name}, request=request)
    return tag


@transaction.atomic
def customer_tag_remove(*, customer: Customer, tag_id: int, actor, request=None) -> None:
    _require_tagging(actor)
    tag = CustomerTag.objects.filter(customer=customer, pk=tag_id).first()
    if tag is None:
        raise NotFound()
    tag.delete()
    audit_record(actor=actor, action="customer.tag_remove", target=customer, detail={"tag": tag.name},
                 request=request)


# ---- segments ---------------------------------------------------------------------------


def _require_segment_manager(user) -> None:
    if not user_can_manage_segments(user):
        raise PermissionDenied()


@transaction.atomic
def segment_create(*, name: str, shop, filters: dict, actor, request=None) -> Segment:
    _require_segment_manager(actor)
    now = timezone.now()
    segment = Segment.objects.create(name=name, shop=shop, filters=filters, owner=actor, created_at=now,
                                     updated_at=now)
    audit_record(actor=actor, action="segment.create", target=segment, detail={"name": name, "filters": filters},
                 request=request)
    return segment


@transaction.atomic
def segment_update(*, segment: Segment, name: str, shop, filters: dict, actor, request=None) -> Segment:
    _require_segment_manager(actor)
    before = {"name": segment.name, "shop": segment.shop_id, "filters": segment.filters}
    segment.name, segment.shop, segment.filters, segment.updated_at = name, shop, filters, timezone.now()
    segment.save()
    audit_record(actor=actor, action="segment.update", target=segment,
                 detail={"before": before, "after": {"name": name, "shop": segment.shop_id, "filters": filters}},
                 request=request)
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor, request=None) -> None:
    _require_segment_manager(actor)
    audit_record(actor=actor, action="segment.delete", target=segment,
                 detail={"name": segment.name, "filters": segment.filters}, request=request)
    segment.delete()


@dataclass(frozen=True)
class SegmentExport:
    content: bytes
    filename: str
    exported: int
    without_consent: int
    phones_masked: bool


EXPORT_COLUMNS = (
    _("Customer id"), _("Nickname"), _("Shop"), _("VIP level"), _("Phone"), _("Paid orders"),
    _("Lifetime value (¥)"), _("Last order"), _("Tags"),
)


def _cell_text(value: str) -> str:
    # Text that a spreadsheet would run as a formula (a nickname "=HYPERLINK(...)") is
    # written with a leading apostrophe, so it stays text.
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@transaction.atomic
def segment_export(*, segment: Segment, actor, request=None) -> SegmentExport:
    """The segment's customers who consented to marketing, as an Excel outreach list.

    A customer without ``marketing_consent`` is never exported. Phones are masked unless
    the user may see personal data. Every export is audited (who, when, segment, count)."""
    from openpyxl import Workbook

    if not user_can_export_segments(actor):
        raise PermissionDenied()
    unmasked = user_can_view_personal_data(actor)
    customers = segment_customers(user=actor, segment=segment)
    without_consent = customers.filter(marketing_consent=False).count()
    ids = list(customers.filter(marketing_consent=True).values_list("pk", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=gettext("Outreach list")[:31])
    sheet.append([str(column) for column in EXPORT_COLUMNS])
    now = timezone.now()
    for start in range(0, len(ids), EXPORT_CHUNK):
        for customer in customer_rows(list(Customer.objects.filter(pk__in=ids[start : start + EXPORT_CHUNK])), now=now):
            tags = [tag.label for tag in customer.auto_tags] + customer.manual_tag_names + list(customer.tags or [])
            last = timezone.localtime(customer.last_order_at).strftime("%Y-%m-%d") if customer.last_order_at else ""
            sheet.append([
                _cell_text(customer.ext_id),
                _cell_text(customer.nick),
                _cell_text(customer.shop.name),
                _cell_text(customer.vip_level),
                _cell_text(customer.phone if unmasked else mask_phone(customer.phone)),
                customer.order_count,
                customer.lifetime_value,
                last,
                _cell_text("、".join(str(tag) for tag in tags)),
            ])
    buffer = BytesIO()
    workbook.save(buffer)
    audit_record(
        actor=actor,
        action="segment.export",
        target=segment,
        detail={"segment": segment.name, "exported": len(ids), "without_consent": without_consent,
                "phones_masked": not unmasked, "at": now.isoformat()},
        request=request,
    )
    filename = f"segment-{segment.pk}-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    return SegmentExport(buffer.getvalue(), filename, len(ids), without_consent, not unmasked)
