"""Forms of the script pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.scripts.choices import Scope


class ScriptForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Variables: {客户昵称} {订单号} {物流单号} {商品名} {店铺名} {客服昵称}"))
    keywords = forms.CharField(label=_("Keywords"), required=False, help_text=_("Separated by commas."))
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.PERSONAL)

    def __init__(self, *args, categories, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        if editing:
            del self.fields["scope"]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class PackForm(forms.Form):
    promotion = forms.ModelChoiceField(label=_("Promotion"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("Empty: the promotion's name."))

    def __init__(self, *args, promotions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["promotion"].queryset = promotions
