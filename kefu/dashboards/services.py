"""Writes of the metric pages: promotions (大促) as the campaign review uses them.

Promotions are a shops-domain model (``kefu.shops.models.Promotion``); their writes live
here because only the metric pages edit them. Each write is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.permissions import shop_ids_for_user
from kefu.core.audit import audit_record
from kefu.core.errors import PermissionDenied, ValidationError
from kefu.shops.models import Promotion

FIELDS = ("name", "shop", "presale_start", "main_start", "main_end", "after_days")


def _detail(promotion: Promotion) -> dict:
    return {
        "name": promotion.name,
        "shop": promotion.shop_id,
        "presale_start": promotion.presale_start.isoformat() if promotion.presale_start else None,
        "main_start": promotion.main_start.isoformat(),
        "main_end": promotion.main_end.isoformat(),
        "after_days": promotion.after_days,
    }


def _check(*, actor, shop, presale_start, main_start, main_end, after_days) -> None:
    shop_ids = shop_ids_for_user(actor)
    if shop_ids is not None and (shop is None or shop.pk not in shop_ids):
        # A promotion of every shop, or of another shop, is beyond a shop-limited user.
        raise PermissionDenied(_("You can only add promotions of your own shops."))
    if main_end < main_start:
        raise ValidationError(_("The main phase cannot end before it starts."), detail={"field": "main_end"})
    if presale_start is not None and presale_start >= main_start:
        raise ValidationError(_("The pre-sale must start before the main phase."), detail={"field": "presale_start"})
    if after_days is not None and after_days < 1:
        raise ValidationError(_("The after window must be at least one day."), detail={"field": "after_days"})


@transaction.atomic
def promotion_create(*, actor, name: str, shop=None, presale_start=None, main_start, main_end, after_days=None,
                     request=None) -> Promotion:
    _check(actor=actor, shop=shop, presale_start=presale_start, main_start=main_start, main_end=main_end,
           after_days=after_days)
    promotion = Promotion.objects.create(
        name=name, shop=shop, presale_start=presale_start, main_start=main_start, main_end=main_end,
        after_days=after_days,
    )
    audit_record(actor=actor, action="promotion.create", target=promotion, detail=_detail(promotion), request=request)
    return promotion


@transaction.atomic
def promotion_update(*, promotion: Promotion, actor, request=None, **changes) -> Promotion:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown promotion field(s): {', '.join(sorted(unknown))}")
    if promotion.shop_id is None and shop_ids_for_user(actor) is not None:
        raise PermissionDenied(_("You can only change promotions of your own shops."))
    merged = {name: changes.get(name, getattr(promotion, name)) for name in FIELDS}
    _check(actor=actor, **{k: v for k, v in merged.items() if k != "name"})
    before = _detail(promotion)
    for name, value in merged.items():
        setattr(promotion, name, value)
    promotion.save()
    after = _detail(promotion)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changed:
        audit_record(actor=actor, action="promotion.change", target=promotion, detail=changed, request=request)
    return promotion


@transaction.atomic
def promotion_delete(*, promotion: Promotion, actor, request=None) -> None:
    if promotion.shop_id is None and shop_ids_for_user(actor) is not None:
        raise PermissionDenied(_("You can only change promotions of your own shops."))
    audit_record(actor=actor, action="promotion.delete", target=promotion, detail=_detail(promotion), request=request)
    promotion.delete()
