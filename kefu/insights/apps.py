from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Voice of the customer: sentiment, issue categories, aspects and intents of reviews,
    after-sales, complaints and chats; trends, spikes and reports for the departments."""

    name = "kefu.insights"
    label = "insights"
    verbose_name = _("Customer insights")
