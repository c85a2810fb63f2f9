from django import forms
from django.utils.translation import gettext as _

from kefu.live.models import WidgetSettings


class WidgetSettingsForm(forms.ModelForm):
    class Meta:
        model = WidgetSettings
        fields = ["enabled", "greeting", "rating_invitation", "allowed_origins"]
        wide = {"style": "width: min(560px, 100%)"}
        widgets = {
            "greeting": forms.TextInput(attrs=wide),
            "rating_invitation": forms.TextInput(attrs=wide),
            "allowed_origins": forms.Textarea(attrs={"rows": 3, **wide}),
        }

    def clean_allowed_origins(self):
        lines = [line.strip().rstrip("/") for line in self.cleaned_data["allowed_origins"].splitlines() if line.strip()]
        for line in lines:
            if not line.startswith(("https://", "http://")) or " " in line or "/" in line.split("://", 1)[1]:
                raise forms.ValidationError(
                    _("“%(origin)s” is not a site address such as https://shop.example.com.") % {"origin": line})
        return "\n".join(lines)
