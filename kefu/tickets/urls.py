"""The ticket pages (工单), mounted at /tickets/."""

from django.urls import path

from kefu.tickets.views import create, detail, lists, manage, reports

app_name = "tickets"
urlpatterns = [
    path("", lists.ticket_list_view, name="list"),
    path("bulk/", lists.bulk_view, name="bulk"),
    path("new/", create.ticket_new_view, name="new"),
    path("from-conversation/<int:conversation_id>/", create.ticket_from_conversation_view, name="from_conversation"),
    path("<int:pk>/", detail.ticket_detail_view, name="detail"),
    path("<int:pk>/transition/", detail.ticket_transition_view, name="transition"),
    path("<int:pk>/assign/", detail.ticket_assign_view, name="assign"),
    path("<int:pk>/edit/", detail.ticket_edit_view, name="edit"),
    path("<int:pk>/comment/", detail.ticket_comment_view, name="comment"),
    path("reports/sla/", reports.sla_report_view, name="sla_report"),
    path("settings/", manage.settings_index, name="settings"),
    path("settings/rules/", manage.rule_list, name="rules"),
    path("settings/rules/new/", manage.rule_edit, name="rule_create"),
    path("settings/rules/<int:pk>/", manage.rule_edit, name="rule_edit"),
    path("settings/rules/<int:pk>/toggle/", manage.rule_toggle, name="rule_toggle"),
    path("settings/sla/", manage.policy_list, name="policies"),
    path("settings/calendars/", manage.calendar_list, name="calendars"),
    path("settings/calendars/new/", manage.calendar_edit, name="calendar_create"),
    path("settings/calendars/<int:pk>/", manage.calendar_edit, name="calendar_edit"),
    path("settings/departments/", manage.department_list, name="departments"),
    path("settings/departments/<int:pk>/", manage.department_edit, name="department_edit"),
]
