"""The filters of the metric pages (shop, period, metric set, sort) and the forms that
write: promotions and a shop's metric settings."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.dashboards.periods import GRAINS, PRESETS, Span, span_preset
from kefu.dashboards.selectors.common import METRIC_SETS
from kefu.metrics.definitions import METRICS, Unit
from kefu.reports.formatting import display_kind
from kefu.shops.models import Promotion

MAX_DAYS = 400  # a custom range longer than this is refused (13 months of daily rows)
METRIC_SET_LABELS = {
    "default": _("Key figures"),
    "service": pgettext_lazy("metric set", "Service"),
    "sales": pgettext_lazy("metric set", "Sales"),
    "satisfaction": pgettext_lazy("metric set", "Satisfaction and after-sales"),
    "workload": pgettext_lazy("metric set", "Workload"),
    "all": _("All metrics"),
}
SCORECARD_PERIODS = ("this_week", "last_week", "this_month", "last_month", "custom")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScopeForm(forms.Form):
    """The shop filter, offered to users who work for more than one shop."""

    shop = forms.ChoiceField(label=_("Shop"), required=False)

    def __init__(self, data=None, *, shops=(), **kwargs):
        super().__init__(data, **kwargs)
        self.shops = list(shops)
        self.fields["shop"].choices = [("", _("All my shops"))] + [(str(s.pk), s.name) for s in self.shops]
        self.multi_shop = len(self.shops) > 1

    def value(self, name: str, default=None):
        """A cleaned value, or ``default`` when the form is invalid or left it empty."""
        if not self.is_valid():
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class PeriodForm(ScopeForm):
    period = forms.ChoiceField(label=_("Period"), choices=list(PRESETS.items()), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    default_period = "this_week"
    period_choices: tuple | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.period_choices is not None:
            self.fields["period"].choices = [(k, PRESETS[k]) for k in self.period_choices]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Choose both the first and the last day of the range."))
            if end < start:
                raise forms.ValidationError(_("The last day cannot come before the first."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("Choose a range of at most %(days)d days.") % {"days": MAX_DAYS})
        return data

    def span(self, today: date) -> Span:
        period = self.value("period", self.default_period)
        if period == "custom":
            return Span(self.cleaned_data["start"], self.cleaned_data["end"] + timedelta(days=1))
        return span_preset(period, today)


def _sort_choices():
    return [("name", "name")] + [(m.key, m.key) for m in METRICS]


class TableForm(PeriodForm):
    metrics = forms.ChoiceField(label=_("Metrics"), choices=list(METRIC_SET_LABELS.items()), required=False)
    sort = forms.ChoiceField(choices=_sort_choices, required=False)
    dir = forms.ChoiceField(choices=[("desc", "desc"), ("asc", "asc")], required=False)
    chart = forms.ChoiceField(choices=[(m.key, m.name) for m in METRICS], required=False)

    def keys(self) -> tuple[str, ...]:
        return METRIC_SETS[self.value("metrics", "default")]


class TrendForm(PeriodForm):
    metric = forms.ChoiceField(label=_("Metric"), required=False)
    grain = forms.ChoiceField(label=_("Interval"), choices=list(GRAINS.items()), required=False)
    default_period = "last_30"
    period_choices = ("last_7", "last_30", "this_month", "last_month", "custom")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m.key, m.name) for m in METRICS]


class CompareForm(ScopeForm):
    mode = forms.ChoiceField(
        label=_("Compare"),
        required=False,
        choices=[
            ("week", _("This week against last week")),
            ("month", _("This month against last month")),
            ("day", _("Yesterday against the same weekday last week")),
            ("promotion", _("A promotion against normal days")),
            ("custom", _("Period A against period B")),
        ],
    )
    promotion = forms.ModelChoiceField(label=_("Promotion"), queryset=Promotion.objects.none(), required=False)
    a_start = forms.DateField(label=_("A from"), required=False, widget=DateInput())
    a_end = forms.DateField(label=_("A to"), required=False, widget=DateInput())
    b_start = forms.DateField(label=_("B from"), required=False, widget=DateInput())
    b_end = forms.DateField(label=_("B to"), required=False, widget=DateInput())
    metrics = forms.ChoiceField(label=_("Metrics"), choices=list(METRIC_SET_LABELS.items()), required=False)

    def __init__(self, *args, promotions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if promotions is not None:
            self.fields["promotion"].queryset = promotions

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "promotion" and not data.get("promotion"):
            raise forms.ValidationError(_("Choose a promotion to compare."))
        if mode == "custom":
            for side in ("a", "b"):
                start, end = data.get(f"{side}_start"), data.get(f"{side}_end")
                if not start or not end:
                    raise forms.ValidationError(_("Choose the first and the last day of both periods."))
                if end < start or (end - start).days >= MAX_DAYS:
                    raise forms.ValidationError(_("Each period must end after it starts and last at most %(days)d days.")
                                                % {"days": MAX_DAYS})
        return data

    def custom_spans(self) -> tuple[Span, Span]:
        d = self.cleaned_data
        return (
            Span(d["a_start"], d["a_end"] + timedelta(days=1)),
            Span(d["b_start"], d["b_end"] + timedelta(days=1)),
        )


class ScorecardForm(PeriodForm):
    period_choices = SCORECARD_PERIODS


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = ["name", "shop", "presale_start", "main_start", "main_end", "after_days"]
        widgets = {
            "presale_start": DateInput(),
            "main_start": DateInput(),
            "main_end": DateInput(),
        }

    def __init__(self, *args, shops=(), every_shop: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        shop_field = self.fields["shop"]
        shop_field.queryset = shop_field.queryset.filter(pk__in=[s.pk for s in shops])
        shop_field.required = not every_shop  # a shop-limited user cannot add a promotion of every shop
        shop_field.empty_label = _("Every shop") if every_shop else None

    def clean(self):
        data = super().clean()
        start, end, presale = data.get("main_start"), data.get("main_end"), data.get("presale_start")
        if start and end and end < start:
            self.add_error("main_end", _("The main phase cannot end before it starts."))
        if presale and start and presale >= start:
            self.add_error("presale_start", _("The pre-sale must start before the main phase."))
        return data


def _target_field(metric) -> forms.Field:
    if display_kind(metric) == "percent":
        suffix = "%"
    elif metric.unit == Unit.SECONDS:
        suffix = _("seconds")
    elif metric.unit == Unit.YUAN:
        suffix = "¥"
    elif metric.unit == Unit.HOURS:
        suffix = _("hours")
    else:
        suffix = ""
    field = forms.DecimalField(label=metric.name, required=False, min_value=0, max_digits=12, decimal_places=2)
    field.widget.attrs.update({"step": "any", "class": "target-input"})
    field.suffix = suffix
    field.metric = metric
    return field


class MetricSettingsForm(forms.Form):
    """A shop's metric settings. Thresholds in seconds, SLAs in hours; the target of a rate
    shown as a percentage is entered as one (95 for 95%) and stored as a fraction."""

    service_hours = forms.CharField(
        label=_("Service hours"), max_length=11,
        help_text=_('"HH:MM-HH:MM" in the shop\'s time, e.g. 09:00-24:00; 00:00-24:00 is all day.'),
    )
    response_within_seconds = forms.IntegerField(
        label=_("Response threshold (seconds)"), min_value=1,
        help_text=_("A question answered within this many seconds counts as answered in time (default 180)."),
    )
    service_level_seconds = forms.IntegerField(
        label=_("Service-level threshold (seconds)"), min_value=1,
        help_text=_("A conversation first answered within this many seconds meets the service level (default 30)."),
    )
    attribution_extra_days = forms.IntegerField(
        label=_("Order attribution, extra days"), min_value=0, max_value=30,
        help_text=_("An order counts for an inquiry until the end of this many days after the inquiry's day (default 1)."),
    )

    def __init__(self, *args, sla_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        from kefu.commerce.models import AfterSaleKind

        labels = dict(AfterSaleKind.choices)
        self.sla_kinds = list(sla_kinds)
        for kind in self.sla_kinds:
            self.fields[f"sla_{kind}"] = forms.IntegerField(label=labels.get(kind, kind), min_value=1)
        for metric in METRICS:
            self.fields[f"target_{metric.key}"] = _target_field(metric)

    @property
    def threshold_fields(self):
        return [self[name] for name in ("service_hours", "response_within_seconds", "service_level_seconds",
                                        "attribution_extra_days")]

    @property
    def sla_fields(self):
        return [self[f"sla_{kind}"] for kind in self.sla_kinds]

    @property
    def target_fields(self):
        return [self[f"target_{m.key}"] for m in METRICS]

    @staticmethod
    def target_to_form(metric, value):
        if value is None:
            return None
        if display_kind(metric) == "percent":
            return round(float(value) * 100, 2)
        return value

    def targets(self) -> dict:
        """The targets as the engine stores them (fractions for ratios); empty ones dropped."""
        out = {}
        for metric in METRICS:
            value = self.cleaned_data.get(f"target_{metric.key}")
            if value is None:
                continue
            number = float(value)
            if display_kind(metric) == "percent":
                number = round(number / 100, 6)
            out[metric.key] = number
        return out
