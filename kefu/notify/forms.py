"""Forms of the notification pages: one's preferences and a group robot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.permissions import shops_for_user
from kefu.notify.models import RobotEndpoint


class PreferencesForm(forms.Form):
    """One checkbox per (registered event, channel): ``<event>__<channel>``."""

    def __init__(self, *args, table: list[dict], channels: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.table, self.channels = table, channels
        for row in table:
            for channel in channels:
                self.fields[self.field_name(row["event"].key, channel)] = forms.BooleanField(
                    required=False, initial=row["values"][channel], label=row["event"].label
                )

    @staticmethod
    def field_name(event: str, channel: str) -> str:
        return f"{event}__{channel}"

    def rows(self):
        """For the template: each event with its bound checkboxes, in column order."""
        for row in self.table:
            yield row["event"], [self[self.field_name(row["event"].key, c)] for c in self.channels]

    def choices(self) -> dict[str, dict[str, bool]]:
        return {
            row["event"].key: {c: self.cleaned_data[self.field_name(row["event"].key, c)] for c in self.channels}
            for row in self.table
        }


class RobotEndpointForm(forms.ModelForm):
    url = forms.CharField(
        label=_("Webhook URL"), max_length=2000,
        help_text=_("The group robot's webhook address, as the platform shows it when the robot is added."),
    )
    secret = forms.CharField(
        label=_("Signing secret"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk and Feishu robots with signing on (SEC…). Leave blank to keep the stored one."),
    )

    class Meta:
        model = RobotEndpoint
        fields = ["name", "channel", "url", "secret", "shop", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].queryset = shops_for_user(user)
        self.fields["shop"].empty_label = _("Every shop")
        if self.instance.pk:
            self.initial["url"] = self.instance.url

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)
