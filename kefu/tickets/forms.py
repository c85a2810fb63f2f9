"""Forms of the ticket pages: the list's filters, a ticket's fields with its type's own
details, assigning, moving, commenting, opening a ticket, and the settings forms.

Forms only parse and present; the services validate the business rules (and raise the
errors the pages show)."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.commerce.models import AfterSaleKind
from kefu.tickets.choices import CommentKind, DepartmentKey, Priority, SlaState, Status, TicketType, Trigger
from kefu.tickets.details import ESCALATION_LEVELS

EMPTY = [("", "—")]
ANY = [("", pgettext_lazy("filter", "Any"))]

ESCALATION_CHOICES = [
    ("team_lead", pgettext_lazy("escalation", "Team lead")),
    ("supervisor", pgettext_lazy("escalation", "Supervisor")),
    ("manager", pgettext_lazy("escalation", "Manager")),
]
assert [key for key, _label in ESCALATION_CHOICES] == list(ESCALATION_LEVELS)
LOGISTICS_KINDS = [
    ("stalled", pgettext_lazy("logistics", "Stalled")),
    ("lost", pgettext_lazy("logistics", "Lost")),
    ("wrong_item", pgettext_lazy("logistics", "Wrong item")),
]
PRODUCT_KINDS = [
    ("quality", _("Quality issue")),
    ("suggestion", _("Feature suggestion")),
    ("size", _("Size deviation")),
]
PLATFORMS = [
    ("taobao", _("Taobao")), ("tmall", _("Tmall")), ("jd", _("JD")), ("pdd", _("Pinduoduo")),
    ("douyin", _("Douyin")), ("other", pgettext_lazy("platform", "Other")),
]
DISPUTE_OUTCOMES = [("for_seller", _("Judged for the seller")), ("against_seller", _("Judged against the seller"))]
RECOVERY_OUTCOMES = [
    ("review_changed", _("Review changed")), ("compensated", _("Compensated")), ("unreachable", _("Unreachable")),
]
FOLLOW_UP_REASONS = [
    ("aftersale", _("After-sale closed")), ("bad_review", _("Bad review")), ("vip", _("VIP customer")),
    ("old_customer", _("Returning customer")),
]

# The type's own fields: key -> (label, kind, choices). Kinds: choice, bool, text, longtext,
# date, datetime. ``evidence`` and ``contact_attempts`` have their own inputs.
DETAIL_FIELDS = {
    "aftersale": {"kind": (_("After-sale kind"), "choice", EMPTY + list(AfterSaleKind.choices))},
    "complaint": {
        "escalation_level": (_("Escalation level"), "choice", ESCALATION_CHOICES),
        "large_order_dispute": (_("Large-order dispute"), "bool", None),
        "malicious": (_("Malicious complaint"), "bool", None),
    },
    "logistics": {
        "kind": (_("Logistics exception"), "choice", LOGISTICS_KINDS),
        "carrier": (_("Carrier"), "text", None),
        "tracking_no": (_("Tracking number"), "text", None),
    },
    "product_feedback": {
        "kind": (_("Feedback kind"), "choice", PRODUCT_KINDS),
        "sku": (_("SKU"), "text", None),
    },
    "platform_dispute": {
        "platform": (_("Platform"), "choice", EMPTY + PLATFORMS),
        "platform_deadline": (_("Platform deadline"), "datetime", None),
        "outcome": (_("Outcome"), "choice", EMPTY + DISPUTE_OUTCOMES),
    },
    "review_recovery": {"outcome": (_("Outcome"), "choice", EMPTY + RECOVERY_OUTCOMES)},
    "follow_up": {
        "reason": (_("Reason"), "choice", EMPTY + FOLLOW_UP_REASONS),
        "due_date": (_("Due date"), "date", None),
        "script": (_("Script"), "longtext", None),
        "result": (_("Result"), "longtext", None),
    },
}
ALL_DETAIL_CHOICES = {
    (type_key, key): dict(choices) for type_key, fields in DETAIL_FIELDS.items()
    for key, (_label, kind, choices) in fields.items() if kind == "choice"
}


def detail_display(type_key: str, details: dict, tz: str) -> list[tuple[str, str]]:
    """The type's details as (label, value) pairs for reading."""
    rows = []
    for key, (label, kind, _choices) in DETAIL_FIELDS.get(type_key, {}).items():
        value = (details or {}).get(key, "")
        if kind == "choice":
            value = ALL_DETAIL_CHOICES[(type_key, key)].get(value, value) if value else "—"
        elif kind == "bool":
            value = _("Yes") if value else _("No")
        elif kind == "datetime" and value:
            value = datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        rows.append((label, value or "—"))
    return rows


def _detail_field(kind, label, choices):
    if kind == "choice":
        return forms.ChoiceField(label=label, choices=choices, required=False)
    if kind == "bool":
        return forms.BooleanField(label=label, required=False)
    if kind == "date":
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if kind == "datetime":
        return forms.DateTimeField(label=label, required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    if kind == "longtext":
        return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    return forms.CharField(label=label, required=False, max_length=128)


class DetailsMixin:
    """Adds the fields of one ticket type's details (``d_<key>``) and reads them back as
    the ``details`` dict the services take."""

    def add_detail_fields(self, type_key: str, details: dict | None, tz: str, bound: bool):
        self.detail_type, self.detail_tz = type_key, tz
        self.detail_names = []
        for key, (label, kind, choices) in DETAIL_FIELDS.get(type_key, {}).items():
            name = f"d_{key}"
            self.fields[name] = _detail_field(kind, label, choices)
            self.detail_names.append(name)
            value = (details or {}).get(key)
            if not bound and value not in (None, ""):
                if kind == "datetime":
                    value = datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
                self.initial[name] = value
        self.evidence = list((details or {}).get("evidence", [])) if type_key == "platform_dispute" else None
        self.attempts = list((details or {}).get("contact_attempts", [])) if type_key == "review_recovery" else None
        if type_key == "platform_dispute":
            self.fields["evidence_new"] = forms.CharField(
                label=_("Add evidence items (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
        if type_key == "review_recovery":
            self.fields["attempt_channel"] = forms.CharField(label=_("New contact attempt: channel"), required=False,
                                                             max_length=32)
            self.fields["attempt_note"] = forms.CharField(label=_("New contact attempt: note"), required=False,
                                                          max_length=500)
            self.fields["attempt_reached"] = forms.BooleanField(label=_("Customer reached"), required=False)

    def details_value(self, data, now) -> dict:
        """The details from the cleaned fields (and the evidence checkboxes in ``data``)."""
        details = {}
        for key, (_label, kind, _choices) in DETAIL_FIELDS.get(self.detail_type, {}).items():
            value = self.cleaned_data.get(f"d_{key}")
            if kind == "bool":
                value = bool(value)
            elif kind == "date":
                value = value.isoformat() if value else ""
            elif kind == "datetime":
                value = value.replace(tzinfo=ZoneInfo(self.detail_tz)).isoformat() if value else ""
            else:
                value = value or ""
            details[key] = value
        if self.evidence is not None:
            evidence = [{"item": entry["item"], "done": data.get(f"evidence_{index}") == "on"}
                        for index, entry in enumerate(self.evidence)]
            for line in (self.cleaned_data.get("evidence_new") or "").splitlines():
                if line.strip():
                    evidence.append({"item": line.strip(), "done": False})
            details["evidence"] = evidence
        if self.attempts is not None:
            channel, note = self.cleaned_data.get("attempt_channel", ""), self.cleaned_data.get("attempt_note", "")
            if channel or note:
                details["contact_attempts"] = [*self.attempts, {
                    "at": now.isoformat(), "channel": channel, "note": note,
                    "reached": bool(self.cleaned_data.get("attempt_reached")),
                }]
        return details


def _department_choices():
    from kefu.tickets.models import Department

    return EMPTY + [(str(d.pk), d.name) for d in Department.objects.order_by("name", "id")]


def _user_choices(users, empty=EMPTY):
    return list(empty) + [(str(u.pk), str(u)) for u in users]


class TicketFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False, choices=ANY + list(TicketType.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(Status.choices))
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=ANY + list(Priority.choices))
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=ANY + list(SlaState.choices))
    created_from = forms.DateField(label=_("Created from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = ANY + [("none", _("Unassigned"))] + [(str(u.pk), str(u)) for u in users]
        self.fields["department"].choices = ANY + _department_choices()[1:]


class TicketEditForm(DetailsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    department = forms.ChoiceField(label=_("Department"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices()
        if not self.is_bound:
            self.initial.update({
                "version": ticket.version, "title": ticket.title, "priority": ticket.priority,
                "department": str(ticket.department_id or ""), "tags": ", ".join(ticket.tags or []),
                "description": ticket.description,
            })
        self.add_detail_fields(ticket.type, ticket.details, ticket.shop.timezone, self.is_bound)

    def tags_value(self) -> list[str]:
        text = (self.cleaned_data.get("tags") or "").replace("，", ",")
        return [tag.strip() for tag in text.split(",") if tag.strip()]


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args, users=(), ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = _user_choices(users, [("", _("Unassigned"))])
        if ticket is not None and not self.is_bound:
            self.initial.update({"version": ticket.version, "assignee": str(ticket.assignee_id or "")})


class CommentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommentKind.choices, initial=CommentKind.PUBLIC)
    to_department = forms.ChoiceField(label=_("Ask which department"), required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_department"].choices = _department_choices()


class TicketCreateForm(DetailsMixin, forms.Form):
    shop = forms.ChoiceField(label=_("Shop"))
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Empty: the type and the customer."))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    department = forms.ChoiceField(label=_("Department"), required=False,
                                   help_text=_("The department that must answer, if any."))
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    order = forms.CharField(label=_("Order number"), max_length=128, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    conversation = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, shops=(), users=(), type_key="aftersale", tz="Asia/Shanghai", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [(str(s.pk), str(s)) for s in shops]
        self.fields["department"].choices = _department_choices()
        self.fields["assignee"].choices = _user_choices(users, [("", _("Unassigned"))])
        self.add_detail_fields(type_key, None, tz, self.is_bound)


# ---- settings ----------------------------------------------------------------------------


class JSONField(forms.CharField):
    """A JSON value typed in a textarea."""

    widget = forms.Textarea

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "mono"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, indent=1)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": error}) from None


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    trigger = forms.ChoiceField(label=_("When"), choices=Trigger.choices)
    shop = forms.ChoiceField(label=_("Shop"), required=False)
    conditions = JSONField(label=_("If (conditions)"), required=False,
                           help_text=_('All must hold, e.g. [{"field": "type", "op": "eq", "value": "aftersale"}]'))
    actions = JSONField(label=_("Then (actions)"),
                        help_text=_('In order, e.g. [{"action": "set_field", "field": "department", "value": "logistics"}]'))
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
    active = forms.BooleanField(label=pgettext_lazy("automation rule", "Active"), required=False, initial=True)

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [("", _("Every shop"))] + [(str(s.pk), str(s)) for s in shops]


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    timezone = forms.CharField(label=_("Timezone"), max_length=64, initial="Asia/Shanghai")
    weekly_hours = JSONField(label=_("Weekly hours"), required=False,
                             help_text=_('0 = Monday, e.g. {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}'))
    use_public_holidays = forms.BooleanField(label=_("Chinese public holidays"), required=False, initial=True)
    holidays = forms.CharField(label=_("Extra holidays"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("One date a line, YYYY-MM-DD."))
    extra_workdays = forms.CharField(label=_("Extra working days"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One date a line, YYYY-MM-DD."))
    promotion_days = JSONField(label=_("Promotion days"), required=False,
                               help_text=_('e.g. {"2026-11-11": [["00:00", "24:00"]]}'))
    is_default = forms.BooleanField(label=_("Default calendar"), required=False)

    @staticmethod
    def lines(value: str) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=DepartmentKey.choices)
    calendar = forms.ChoiceField(label=_("Work calendar"), required=False)
    members = forms.MultipleChoiceField(label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, calendars=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [("", _("Team's or default calendar"))] + [(str(c.pk), c.name) for c in calendars]
        self.fields["members"].choices = [(str(u.pk), str(u)) for u in users]
