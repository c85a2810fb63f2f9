"""The roster pages' forms. They only parse and bound the input; the rules live in the services.

Dates and times are read in the shop's timezone (the views validate inside
``timezone.override(shop timezone)``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.wfm.models import RequestKind


class PlanForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=None, empty_label=None)
    week_start = forms.DateField(label=_("Week (Monday)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    target_sl = forms.FloatField(label=_("Service level target"), min_value=0.01, max_value=0.999, initial=0.8,
                                 help_text=_("Share of chats answered within the target time, e.g. 0.8"))
    target_seconds = forms.IntegerField(label=_("Target answer time (seconds)"), min_value=1, initial=30)
    aht = forms.IntegerField(label=_("Handle time override (seconds)"), min_value=1, required=False,
                             help_text=_("Blank: learned from the shop's conversations"))
    concurrency = forms.IntegerField(label=_("Concurrent chats per agent"), min_value=1, max_value=20, initial=3)
    shrinkage = forms.FloatField(label=_("Shrinkage"), min_value=0, max_value=0.9, initial=0.2,
                                 help_text=_("Share of paid time away from chats (breaks, meetings, training)"))
    max_occupancy = forms.FloatField(label=_("Maximum occupancy"), min_value=0.1, max_value=1, initial=0.85)

    def __init__(self, *args, shops=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops

    def clean_week_start(self):
        value = self.cleaned_data["week_start"]
        if value.weekday() != 0:
            raise forms.ValidationError(_("Choose a Monday"))
        return value

    def params(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in ("target_sl", "target_seconds", "aht", "concurrency", "shrinkage",
                                           "max_occupancy")}


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Promotion"), max_length=100, required=False)
    start = forms.DateTimeField(label=_("From"), required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    end = forms.DateTimeField(label=_("Until"), required=False,
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    uplift = forms.FloatField(label=_("Expected uplift (× normal)"), min_value=0, required=False,
                              help_text=_("Blank: learned from past promotions of the same name"))

    def clean(self):
        data = super().clean()
        if data.get("name") and (not data.get("start") or not data.get("end")):
            raise forms.ValidationError(_("A promotion needs a start and an end"))
        if (data.get("start") or data.get("end")) and not data.get("name"):
            raise forms.ValidationError(_("Name the promotion"))
        return data


PromotionFormSet = forms.formset_factory(PromotionForm, extra=2, max_num=5)


class RulesForm(forms.Form):
    rules = forms.CharField(label=_("Rules (JSON)"), widget=forms.Textarea(attrs={"rows": 22, "class": "mono"}))


class MoveForm(forms.Form):
    start = forms.DateTimeField(label=_("New start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None, required=False, empty_label=_("(unassigned)"))

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class ShiftRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    target_agent = forms.ModelChoiceField(label=_("Colleague (for a swap)"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_agent"].queryset = colleagues


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
