"""The forms of the quality-inspection pages: a rule's draft (word lists one per line or
comma-separated), the preview period, the shop's severity weights (and the small service
that writes them), and the report's filters."""

import hashlib
import json
from datetime import date, timedelta

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.audit import audit_record
from kefu.core.errors import ValidationError
from kefu.dashboards.forms import DateInput, PeriodForm
from kefu.qa.defaults import SEVERITY_WEIGHTS
from kefu.qa.inspector import shop_weights
from kefu.qa.models import Rule, RuleKind, Severity, Target

# The parameters a supervisor edits, per kind of rule (others are kept as they are).
KIND_PARAMS = {
    RuleKind.KEYWORD: ("words", "whole", "exceptions", "context", "context_window", "negations"),
    RuleKind.REGEX: ("pattern",),
    RuleKind.SLOW_REPLY: ("threshold_seconds", "major_above_seconds"),
    RuleKind.MISSED_QUESTION: ("acknowledgements",),
    RuleKind.NO_GREETING: ("words",),
    RuleKind.NO_CLOSING: ("words",),
    RuleKind.UNRESOLVED_COMPLAINT: ("complaint_words", "apologies", "negative_threshold"),
}
WORD_FIELDS = ("words", "whole", "exceptions", "context", "negations", "acknowledgements", "complaint_words",
               "apologies")
NEW_RULE_KINDS = (RuleKind.KEYWORD, RuleKind.REGEX)

PARAM_LABELS = {
    "words": _("Words"),
    "whole": _("Only as the whole reply"),
    "exceptions": _("Exceptions"),
    "context": _("Only near these words"),
    "context_window": _("Nearness (characters)"),
    "negations": _("Negations"),
    "pattern": _("Regular expression"),
    "threshold_seconds": _("Limit (seconds)"),
    "major_above_seconds": _("Major above (seconds)"),
    "acknowledgements": _("Acknowledgements (need no reply)"),
    "complaint_words": _("Complaint words"),
    "apologies": _("Apologies"),
    "negative_threshold": _("Negative sentiment threshold"),
}
PARAM_HELP = {
    "words": _("One per line, or separated by commas. Evasions (V信, 薇信, spaces) are caught."),
    "whole": _("Counted only when a reply is nothing but this (不知道)."),
    "exceptions": _("Longer phrases that cancel a match they contain (微信支付, 您最好)."),
    "context": _("When set, a word counts only with one of these near it."),
    "negations": _("A word just before cancels the match (请勿, 不要)."),
    "context_window": _("Empty: 12 characters either side."),
    "pattern": _("Python syntax, matched against each message."),
    "threshold_seconds": _("A question answered later than this is a finding."),
    "major_above_seconds": _("Later than this, the finding is major."),
    "negative_threshold": _("0 to 1; a customer message scored this negative counts as a complaint."),
}
# rule_validate names the field that is wrong; these say it in the reader's language.
FIELD_ERRORS = {
    "key": _("Lowercase letters, digits and _ (2 to 64), starting with a letter."),
    "name": _("Give the rule a name."),
    "kind": _("Choose a kind of rule."),
    "target": _("Choose what the rule looks at."),
    "severity": _("Choose a severity."),
    "words": _("A word-list rule needs at least one word."),
    "pattern": _("Not a valid regular expression."),
    "threshold_seconds": _("A positive number of seconds."),
    "major_above_seconds": _("A whole number of seconds."),
    "context_window": _("A whole number of characters."),
    "negative_threshold": _("A number from 0 to 1."),
}


def words_text(words) -> str:
    return "\n".join(words or [])


class RuleForm(forms.Form):
    """A draft of a rule: the fields of ``kefu.qa.rules.rule_validate``. An existing rule
    keeps its key and kind; a new one is a word list or a regular expression."""

    key = forms.CharField(label=pgettext_lazy("rule", "Key"), max_length=64, required=False,
                          help_text=_("Lowercase letters, digits and _; fixed once saved."))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in NEW_RULE_KINDS], required=False)
    target = forms.ChoiceField(label=_("Looks at"), choices=Target.choices, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, required=False)
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    note = forms.CharField(label=_("Change note"), max_length=300, required=False,
                           help_text=_("Why the rule changes, for the history."))

    def __init__(self, data=None, *, rule: Rule | None = None, **kwargs):
        self.rule = rule
        initial = kwargs.pop("initial", None) or self._initial(rule)
        super().__init__(data, initial=initial, **kwargs)
        kind = rule.kind if rule else (self.data.get("kind") if self.is_bound else None) or RuleKind.KEYWORD
        if kind not in KIND_PARAMS:
            kind = RuleKind.KEYWORD
        self.kind_value = kind
        if rule is not None:
            for name in ("key", "kind"):
                self.fields[name].disabled = True
            self.fields["kind"].choices = [(rule.kind, rule.get_kind_display())]
            if rule.kind not in NEW_RULE_KINDS:
                self.fields["target"].disabled = True  # a measured rule looks where it must
        names = KIND_PARAMS[kind] if rule is not None else list(
            dict.fromkeys(n for k in NEW_RULE_KINDS for n in KIND_PARAMS[k]))
        for name in names:
            self.fields[name] = self._param_field(name)
            self.fields[name].kinds = " ".join(k for k in NEW_RULE_KINDS if name in KIND_PARAMS[k])

    @staticmethod
    def _initial(rule: Rule | None) -> dict:
        if rule is None:
            return {"kind": RuleKind.KEYWORD, "target": Target.HUMAN_REPLIES, "severity": Severity.MINOR,
                    "enabled": True, "context_window": 12}
        initial = {"key": rule.key, "name": rule.name, "kind": rule.kind, "target": rule.target,
                   "severity": rule.severity, "enabled": rule.enabled}
        for name, value in (rule.params or {}).items():
            initial[name] = words_text(value) if name in WORD_FIELDS else value
        return initial

    @staticmethod
    def _param_field(name: str) -> forms.Field:
        label, help_text = PARAM_LABELS[name], PARAM_HELP.get(name, "")
        if name in WORD_FIELDS:
            return forms.CharField(label=label, help_text=help_text, required=False,
                                   widget=forms.Textarea(attrs={"rows": 4, "data-words": name}))
        if name == "pattern":
            return forms.CharField(label=label, help_text=help_text, required=False, max_length=500,
                                   widget=forms.TextInput(attrs={"class": "mono"}))
        if name == "negative_threshold":
            return forms.CharField(label=label, help_text=help_text, required=False)
        return forms.CharField(label=label, help_text=help_text, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    @property
    def param_fields(self):
        names = KIND_PARAMS[self.kind_value] if self.rule is not None else [
            n for n in self.fields if n in PARAM_LABELS]
        return [self[name] for name in names]

    def draft(self) -> dict:
        """The draft ``rule_validate`` checks: the rule's other parameters kept as they are."""
        data = self.cleaned_data
        kind = self.rule.kind if self.rule else data.get("kind") or RuleKind.KEYWORD
        params = dict(self.rule.params) if self.rule else {}
        for name in KIND_PARAMS.get(kind, ()):
            value = (data.get(name) or "").strip()
            if value:
                params[name] = value  # word lists as text: rule_validate splits them
            else:
                params.pop(name, None)
        return {
            "key": self.rule.key if self.rule else (data.get("key") or "").strip(),
            "name": data.get("name", ""),
            "kind": kind,
            "target": self.rule.target if self.rule and self.fields["target"].disabled else data.get("target"),
            "severity": data.get("severity"),
            "params": params,
            "enabled": bool(data.get("enabled")),
        }

    def add_rule_error(self, error: ValidationError) -> None:
        """Show a ``rule_validate`` error at its field (a regular expression's own complaint kept)."""
        name = (error.detail or {}).get("field")
        message = FIELD_ERRORS.get(name, str(error.message))
        if name == "pattern" and "(" in str(error.message):
            # Python's own words on what is wrong with the expression (not translatable).
            reason = str(error.message).split("(", 1)[1].rstrip(")")
            message = _("Not a valid regular expression: %(error)s.") % {"error": reason}
        self.add_error(name if name in self.fields else None, message)


def draft_digest(draft: dict, start: date, end: date) -> str:
    """A fingerprint of a previewed draft and period: saving requires the preview of
    exactly what is saved."""
    text = json.dumps({"draft": draft, "start": start.isoformat(), "end": end.isoformat()}, sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class PreviewPeriodForm(forms.Form):
    """The days whose conversations a preview re-inspects (last day included)."""

    preview_start = forms.DateField(label=_("Preview from"), required=False, widget=DateInput())
    preview_end = forms.DateField(label=_("to"), required=False, widget=DateInput())
    MAX_DAYS = 31

    def __init__(self, data=None, *, today: date, **kwargs):
        self.today = today
        super().__init__(data, initial={"preview_start": today - timedelta(days=6), "preview_end": today}, **kwargs)

    def clean(self):
        data = super().clean()
        start = data.get("preview_start") or self.today - timedelta(days=6)
        end = data.get("preview_end") or self.today
        if end < start:
            raise forms.ValidationError(_("The last day cannot come before the first."))
        if (end - start).days >= self.MAX_DAYS:
            raise forms.ValidationError(_("Preview at most %(days)d days.") % {"days": self.MAX_DAYS})
        data["preview_start"], data["preview_end"] = start, end
        return data

    def span(self) -> tuple[date, date]:
        """``[start, end)`` in shop days."""
        return self.cleaned_data["preview_start"], self.cleaned_data["preview_end"] + timedelta(days=1)


class WeightsForm(forms.Form):
    minor = forms.IntegerField(label=Severity.MINOR.label, min_value=0, max_value=100)
    major = forms.IntegerField(label=Severity.MAJOR.label, min_value=0, max_value=100)
    critical = forms.IntegerField(label=Severity.CRITICAL.label, min_value=0, max_value=100)


def shop_qa_weights_update(shop, *, weights: dict, actor=None, request=None) -> dict[str, int]:
    """Set the deduction of each severity for ``shop`` (0-100 points), audited. New
    inspections use them; a re-inspection applies them to past conversations."""
    clean = {}
    for severity in SEVERITY_WEIGHTS:
        value = weights.get(severity)
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{severity}: a whole number of points", detail={"field": severity}) from None
        if not 0 <= number <= 100:
            raise ValidationError(f"{severity}: from 0 to 100 points", detail={"field": severity})
        clean[severity] = number
    with transaction.atomic():
        shop.refresh_from_db(fields=["settings"])
        before = shop_weights(shop)
        shop.settings = {**(shop.settings or {}), "qa_weights": clean}
        shop.save(update_fields=["settings"])
        if before != clean:
            audit_record(actor=actor, action="qa.weights_change", target=shop, request=request,
                         detail={"from": before, "to": clean})
    return clean


class ReportForm(PeriodForm):
    """The QA report's filters: shop, period, interval of the trend, grouping of the table,
    and the date of a coaching session to compare before and after."""

    grain = forms.ChoiceField(label=_("Interval"), choices=[("day", _("By day")), ("week", _("By week"))],
                              required=False)
    by = forms.ChoiceField(label=_("Per"), required=False,
                           choices=[("agent", _("Agent")), ("team", _("Team")), ("shop", _("Shop"))])
    since = forms.DateField(label=_("Coached on"), required=False, widget=DateInput())
    default_period = "last_7"
    period_choices = ("this_week", "last_week", "last_7", "last_30", "this_month", "last_month", "custom")
