"""Forms of the report pages: which report to show or download, and a subscription."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.permissions import shops_for_user
from kefu.reports.choices import ReportPeriod
from kefu.reports.models import Subscription
from kefu.reports.renderers import FORMATS


class ReportQueryForm(forms.Form):
    """``?period=weekly&date=2026-11-11&shop=3``; the page defaults to the week of yesterday."""

    period = forms.ChoiceField(label=_("Period"), choices=ReportPeriod.choices, required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=None, required=False, empty_label=_("All my shops"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops_for_user(user)

    def clean_period(self):
        return self.cleaned_data.get("period") or ReportPeriod.WEEKLY

    def clean_date(self):
        return self.cleaned_data.get("date") or timezone.localdate() - timedelta(days=1)


class DownloadForm(ReportQueryForm):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f) for f in FORMATS])

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day is None:
            raise forms.ValidationError(_("Choose a date."))
        return day


class SubscriptionForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Signing secret"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk and Feishu robots with signing on (SEC…). Leave blank to keep the stored one."),
    )
    target = forms.CharField(
        label=_("Address or webhook URL"), max_length=2000,
        help_text=_("E-mail: one or more addresses, separated by commas. Robots: the group robot's webhook URL."),
    )

    class Meta:
        model = Subscription
        fields = ["name", "period", "send_time", "weekday", "month_day", "shops", "channel", "target", "secret",
                  "format", "language", "active"]
        widgets = {
            "send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "shops": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shops"].queryset = shops_for_user(user)
        self.fields["month_day"].help_text = _("Monthly reports: the month's last day when it is shorter.")
        self.fields["weekday"].help_text = _("Weekly reports.")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("shops", None)
        return data
