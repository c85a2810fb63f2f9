"""The forms of the review pages: sampling plans, calibrations, appeals. (The review screen
and the scorecard editor post plain fields that their views read into the services.)"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.review.models import PlanKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return str(obj)


class PlanForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    rate = forms.IntegerField(label=_("Rate (%)"), required=False, min_value=1, max_value=100,
                              help_text=_("Random: this share of each day's conversations (or set a number a day)."))
    per_day = forms.IntegerField(label=_("Per day"), required=False, min_value=0,
                                 help_text=_("Random: this many a day. Risk-weighted: at most this many risky "
                                             "conversations a day besides the flagged ones."))
    per_agent_week = forms.IntegerField(label=_("Per agent per week"), required=False, min_value=1,
                                        help_text=_("Per agent: at least this many conversations of each agent "
                                                    "a week."))
    low_score_below = forms.IntegerField(label=_("Low score below"), initial=80, min_value=1, max_value=100,
                                         help_text=_("Risk-weighted: an automatic score under this is risky."))
    low_rating_max = forms.IntegerField(label=_("Low rating up to"), initial=2, min_value=1, max_value=5,
                                        help_text=_("Risk-weighted: a customer rating of this many stars or fewer."))
    starts_on = forms.DateField(label=_("From"), widget=DateInput(),
                                help_text=_("Conversations from this day on."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reviewers = ReviewerChoiceField(label=_("Reviewers"), queryset=None)

    def __init__(self, *args, shops, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops
        self.fields["reviewers"].queryset = reviewers
        self.fields["starts_on"].initial = timezone.localdate()

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("shop")
        data.pop("reviewers")
        return data


class CalibrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    reviewers = ReviewerChoiceField(label=_("Reviewers"), queryset=None)
    conversations = forms.MultipleChoiceField(label=_("Conversations"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, reviewers, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewers
        self.fields["conversations"].choices = [(str(i.conversation_id), str(i.conversation_id)) for i in candidates]


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you appeal?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
