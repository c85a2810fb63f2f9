"""Forms of the customer archive: the search filters (also a segment's saved filters),
the segment form, and the manual tag form. Every bad value is a form error naming the field."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kefu.accounts.permissions import shops_for_user
from kefu.customers.phones import phone_normalise
from kefu.customers.tags import AUTO_TAGS

CONSENT_CHOICES = [("", _("Any")), ("yes", _("Consented")), ("no", _("Not consented"))]
# The filters a segment saves, in this order (never the phone number: personal data).
SEGMENT_FILTERS = ("q", "auto_tag", "tag", "vip_level", "consent", "last_order_from", "last_order_to",
                   "value_min", "value_max")


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Nickname or customer id"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone (full number)"), required=False, max_length=32)
    shop = forms.ModelChoiceField(label=_("Shop"), required=False, queryset=None, empty_label=_("All shops"))
    auto_tag = forms.ChoiceField(label=_("Automatic tag"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=32)
    # Levels are free text from the platform: offered as a list, any level accepted.
    vip_level = forms.CharField(label=_("VIP level"), required=False, max_length=32, widget=forms.Select)
    consent = forms.ChoiceField(label=_("Marketing consent"), required=False, choices=CONSENT_CHOICES)
    last_order_from = forms.DateField(label=_("Last order from"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    last_order_to = forms.DateField(label=_("Last order to"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    value_min = forms.DecimalField(label=_("Lifetime value from (¥)"), required=False, min_value=Decimal("0"),
                                   max_digits=14, decimal_places=2)
    value_max = forms.DecimalField(label=_("Lifetime value to (¥)"), required=False, min_value=Decimal("0"),
                                   max_digits=14, decimal_places=2)

    def __init__(self, *args, user, vip_levels=(), can_search_phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops_for_user(user).order_by("name")
        self.fields["auto_tag"].choices = [("", _("Any")), *AUTO_TAGS.items()]
        levels = [(level, level) for level in vip_levels]
        current = self.data.get(self.add_prefix("vip_level")) if self.is_bound else self.initial.get("vip_level")
        if current and current != "*" and current not in vip_levels:
            levels.append((current, current))
        self.fields["vip_level"].widget.choices = [("", _("Any")), ("*", _("Any VIP level")), *levels]
        self.can_search_phone = can_search_phone
        if not can_search_phone:
            del self.fields["phone"]

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        if phone and len(phone_normalise(phone)) < 7:
            raise ValidationError(_("Enter the full phone number: only an exact match is searched."))
        return phone

    def clean(self):
        data = super().clean()
        first, last = data.get("last_order_from"), data.get("last_order_to")
        if first and last and first > last:
            self.add_error("last_order_to", _("The end date is before the start date."))
        low, high = data.get("value_min"), data.get("value_max")
        if low is not None and high is not None and low > high:
            self.add_error("value_max", _("The upper bound is below the lower bound."))
        return data

    def has_filters(self) -> bool:
        return any(value not in (None, "") for value in self.cleaned_data.values())


class SegmentForm(CustomerFilterForm):
    name = forms.CharField(label=_("Name"), max_length=100)

    field_order = ["name", "shop", *SEGMENT_FILTERS]

    def __init__(self, *args, **kwargs):
        kwargs["can_search_phone"] = False
        super().__init__(*args, **kwargs)
        self.fields["shop"].empty_label = _("All my shops")

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) not in (None, "") for name in SEGMENT_FILTERS):
            raise ValidationError(_("Choose at least one filter: a segment of every customer is not a target list."))
        return data

    def filters(self) -> dict:
        """The clean filters as JSON (dates ISO, amounts as strings; empty ones left out)."""
        return segment_filters_dump(self.cleaned_data)


def segment_filters_dump(data: dict) -> dict:
    dumped = {}
    for name in SEGMENT_FILTERS:
        value = data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        dumped[name] = value
    return dumped


def segment_filters_load(filters: dict) -> dict:
    """A segment's stored filters as clean values; a stored value that no longer reads
    raises ``ValueError`` naming the filter."""
    if not isinstance(filters, dict):
        raise ValueError("segment filters must be a JSON object")
    unknown = set(filters) - set(SEGMENT_FILTERS)
    if unknown:
        raise ValueError(f"unknown segment filters: {sorted(unknown)}")
    clean = dict(filters)
    for name in ("last_order_from", "last_order_to"):
        if clean.get(name):
            try:
                clean[name] = date.fromisoformat(clean[name])
            except (TypeError, ValueError):
                raise ValueError(f"segment filter {name} is not a date: {clean[name]!r}") from None
    for name in ("value_min", "value_max"):
        if clean.get(name) is not None:
            try:
                clean[name] = Decimal(clean[name])
            except (TypeError, ArithmeticError):
                raise ValueError(f"segment filter {name} is not an amount: {clean[name]!r}") from None
    if clean.get("auto_tag") and clean["auto_tag"] not in AUTO_TAGS:
        raise ValueError(f"segment filter auto_tag is unknown: {clean['auto_tag']!r}")
    return clean


class CustomerTagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=32)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("A tag needs a name."))
        return name
