"""Chinese first, English available: the catalogue is complete and the switch works."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kefu.accounts.roles import Role

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Labels that read the same in both languages.
SAME_IN_BOTH = {"API", "PDF", "CSV", "Excel (.xlsx)"}  # the same word in Chinese


def test_pages_are_chinese_by_default(supervisor_client):
    html = supervisor_client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "今日咨询量" in html and "退出登录" in html


def test_a_chinese_browser_gets_chinese(supervisor_client):
    html = supervisor_client.get(reverse("home"), headers={"accept-language": "zh-CN,zh;q=0.9"}).content.decode()
    assert "今日看板" in html


def test_switching_to_english(supervisor_client):
    response = supervisor_client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = supervisor_client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "Conversations today" in html and "今日咨询量" not in html


def test_every_catalogue_entry_is_translated():
    text = PO_FILE.read_text()
    entries = text.split("\n\n")[1:]
    assert entries
    untranslated = [entry for entry in entries if re.search(r'^msgstr(\[0\])? ""\n(?!")', entry + "\n", re.M)]
    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    assert untranslated == [] and fuzzy == []


def _labels():
    for model in apps.get_models():
        if not model.__module__.startswith("kefu."):
            continue
        yield model.__name__, model._meta.verbose_name
        yield model.__name__, model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if getattr(field, "model", None) is not model or not hasattr(field, "verbose_name"):
                continue
            if type(field.verbose_name).__name__ != "__proxy__":
                continue  # not a translatable label (Django's automatic names of ids)
            yield f"{model.__name__}.{field.name}", field.verbose_name
            for _value, label in field.flatchoices or ():
                yield f"{model.__name__}.{field.name} choice", label
    for role in Role:
        yield "Role", role.label
    for config in apps.get_app_configs():
        if config.name.startswith("kefu."):
            yield config.name, config.verbose_name


def test_every_model_label_has_a_chinese_translation():
    missing = []
    labels = list(_labels())
    assert len(labels) > 150
    for where, label in labels:
        with translation.override("en"):
            english = str(label)
        with translation.override("zh-hans"):
            chinese = str(label)
        if chinese == english and english not in SAME_IN_BOTH:
            missing.append((where, english))
    assert missing == []


def _po_keys(text: str) -> set:
    """The (context, msgid) pairs of a .po file's entries (continuation lines joined)."""
    keys = set()
    for entry in text.split("\n\n")[1:]:
        fields, current = {}, None
        for line in entry.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" in fields:
            keys.add((_unescape(fields.get("msgctxt", "")), _unescape(fields["msgid"])))
    return keys


def _unescape(value: str) -> str:
    # .po strings escape quotes and backslashes like C; non-ASCII text is kept as is.
    return value.encode("latin-1", "backslashreplace").decode("unicode_escape")


def test_compiled_catalogue_is_up_to_date():
    import gettext

    with open(PO_FILE.with_suffix(".mo"), "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    compiled = set()
    for key in catalog:
        msgid = key[0] if isinstance(key, tuple) else key
        context, _, msgid = msgid.rpartition("\x04")
        if msgid:
            compiled.add((context, msgid))
    in_po = _po_keys(PO_FILE.read_text())
    assert ("role", "Agent") in in_po and ("", "Today's board") in in_po
    assert in_po - compiled == set()
