"""The supervisor's routing forms: the shop's settings, a skill group with its members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.routing.models import RoutingSettings, SkillGroup


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = ["default_max_concurrent", "sticky_enabled", "sticky_window_hours", "vip_priority",
                  "complaint_priority", "auto_away_minutes", "off_hours_message"]
        widgets = {"off_hours_message": forms.Textarea(attrs={"rows": 2})}

    def clean_default_max_concurrent(self):
        value = self.cleaned_data["default_max_concurrent"]
        if value < 1:
            raise forms.ValidationError(_("An agent handles at least one chat."))
        return value


class SkillGroupForm(forms.ModelForm):
    customer_tags_text = forms.CharField(
        label=_("customer tags"), required=False,
        help_text=_("Conversations of customers with any of these tags go to this group; separate with commas."),
    )

    class Meta:
        model = SkillGroup
        fields = ["key", "name", "stage", "for_vip", "strategy", "base_priority", "overflow_group",
                  "overflow_after_seconds"]

    def __init__(self, *args, shop, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.shop = shop
        self.agents = list(agents)
        others = SkillGroup.objects.filter(shop=shop)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.fields["customer_tags_text"].initial = "，".join(self.instance.customer_tags or [])
        self.fields["overflow_group"].queryset = others
        members = {m.agent_id: m for m in self.instance.memberships.all()} if self.instance.pk else {}
        for agent in self.agents:
            member = members.get(agent.pk)
            self.fields[f"member_{agent.pk}"] = forms.BooleanField(label=agent.name, required=False,
                                                                   initial=member is not None)
            self.fields[f"cap_{agent.pk}"] = forms.IntegerField(
                label=_("cap"), required=False, min_value=1, max_value=50,
                initial=member.max_concurrent if member else None)

    def member_rows(self):
        return [(agent, self[f"member_{agent.pk}"], self[f"cap_{agent.pk}"]) for agent in self.agents]

    def clean_key(self):
        key = self.cleaned_data["key"]
        clash = SkillGroup.objects.filter(shop=self.shop, key=key)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This shop already has a skill group with this key."))
        return key

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("overflow_group") and not cleaned.get("overflow_after_seconds"):
            self.add_error("overflow_after_seconds", _("Say after how many seconds of waiting to overflow."))
        if cleaned.get("overflow_after_seconds") and not cleaned.get("overflow_group"):
            self.add_error("overflow_group", _("Choose the group to overflow to."))
        return cleaned

    def customer_tags(self) -> list[str]:
        text = self.cleaned_data.get("customer_tags_text", "").replace("，", ",")
        return [tag.strip() for tag in text.split(",") if tag.strip()]

    def members(self) -> list[tuple]:
        return [(agent, self.cleaned_data.get(f"cap_{agent.pk}")) for agent in self.agents
                if self.cleaned_data.get(f"member_{agent.pk}")]


class AgentCapForm(forms.Form):
    max_concurrent = forms.IntegerField(label=_("concurrency cap"), required=False, min_value=1, max_value=50)
