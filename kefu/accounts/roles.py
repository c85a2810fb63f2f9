"""The roles of a customer-service team, as Django groups with permissions.

The groups are derived from this file: ``roles_sync()`` runs after every ``kefu migrate``
(a post_migrate handler, see ``apps.py``) and sets each role's permissions to exactly
what ``ROLE_PERMISSIONS`` says, so a role means the same thing on every installation.
Give a person extra rights with user permissions, not by editing a role's group.
"""

from django.db import DEFAULT_DB_ALIAS, models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", pgettext_lazy("role", "Supervisor")  # 客服主管
    TEAM_LEAD = "team_lead", pgettext_lazy("role", "Team lead")  # 组长
    AGENT = "agent", pgettext_lazy("role", "Agent")  # 客服专员
    QA = "qa", pgettext_lazy("role", "QA inspector")  # 质检员
    LOGISTICS = "logistics", pgettext_lazy("role", "Logistics")  # 物流
    PRODUCT = "product", pgettext_lazy("role", "Product")  # 产品
    OPERATIONS = "operations", pgettext_lazy("role", "Operations")  # 运营
    ADMIN = "admin", pgettext_lazy("role", "Administrator")  # 管理员


DEPARTMENT_ROLES = (Role.LOGISTICS, Role.PRODUCT, Role.OPERATIONS)
# Roles whose members get ``is_staff`` (the admin site) when created by ``user_create``.
STAFF_ROLES = (Role.ADMIN, Role.SUPERVISOR)
# When a person holds several roles, the first of these decides their home page.
ROLE_PRECEDENCE = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.TEAM_LEAD,
    Role.QA,
    Role.AGENT,
    Role.LOGISTICS,
    Role.PRODUCT,
    Role.OPERATIONS,
)

# Permissions that are not a model's add/change/delete/view: (app label, model, codename, name).
CUSTOM_PERMISSIONS = [
    ("accounts", "user", "view_personal_data", "Can see unmasked phone numbers and addresses"),
    ("conversations", "conversation", "view_all_conversations", "Can see every conversation of their shops"),
    ("conversations", "conversation", "view_team_conversations", "Can see the conversations of the teams they lead"),
    ("shops", "shop", "view_team_metrics", "Can see the KPIs of every agent and team of their shops"),
    ("shops", "shop", "change_metric_settings", "Can change the settings metric definitions depend on"),
    ("shops", "shop", "view_reports", "Can see and download the daily, weekly and monthly reports"),
    ("shops", "shop", "manage_report_subscriptions", "Can subscribe reports to e-mail and group robots"),
    ("notify", "robotendpoint", "manage_notifications", "Can manage group robots and see the notification send log"),
]

_VIEW_SERVICE_DATA = [
    "conversations.view_conversation",
    "conversations.view_message",
    "customers.view_customer",
    "accounts.view_agent",
    "accounts.view_team",
    "shops.view_shop",
    "presence.view_agentstatus",
]
_VIEW_COMMERCE = [
    "commerce.view_order",
    "commerce.view_aftersale",
    "commerce.view_review",
    "commerce.view_logisticsevent",
]
_VIEW_INTAKE = ["intake.view_importrun", "intake.view_rejectedrecord", "intake.view_pendingrecord"]
_MANAGE_PEOPLE = [
    f"accounts.{action}_{model}"
    for model in ("user", "team", "agent")
    for action in ("add", "change", "delete", "view")
]

_QA_VIEW = ["qa.view_inspection", "qa.view_finding", "qa.view_rule"]
_QA_RULES = ["qa.add_rule"]
# Human review (kefu.review): reviewing one's queue and appeals; scorecards, sampling plans
# and calibrations; an agent's own results and appeals.
_REVIEW = ["review.review_conversation"]
_REVIEW_MANAGE = ["review.manage_review"]
_REVIEW_OWN = ["review.view_own_reviews"]

# Tickets (kefu.tickets): reach (all / team / own / department), opening and changing,
# configuration, the department SLA report.
_TICKETS_WORK = ["tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket"]
_TICKETS_MANAGE = ["tickets.manage_ticket_settings", "tickets.view_ticket_report"]
_TICKETS_DEPARTMENT = ["tickets.view_ticket", "tickets.change_ticket", "tickets.view_department_tickets"]

# Script library (kefu.scripts): using it, approving shop-wide scripts, campaign packs.
_SCRIPTS = ["scripts.view_script"]
_SCRIPTS_APPROVE = ["scripts.view_script", "scripts.approve_script"]
_SCRIPTS_PACKS = ["scripts.manage_script_packs"]

# Routing (kefu.routing): watching the queue and agents' load; routing, transfers, others' status.
_ROUTING_VIEW = ["routing.view_agentrouting", "routing.view_queueentry"]
_ROUTING_MANAGE = [
    *_ROUTING_VIEW, "routing.manage_routing",
    "routing.view_routingsettings", "routing.view_skillgroup", "routing.view_skillgroupmember", "routing.view_assignment",
]

# Workforce management (kefu.wfm): planning, editing and publishing rosters, deciding
# leave and swap requests; an agent's own published shifts and requests.
_WFM_MANAGE = ["wfm.manage_schedules"]
_WFM_OWN = ["wfm.view_own_shifts"]

# Customer archive (kefu.customers): manual tags; saved segments and their outreach export.
_CUSTOMER_TAGS = ["customers.tag_customer"]
_SEGMENTS = ["customers.manage_segments", "customers.export_segments"]

_METRICS_ALL = [
    "shops.view_team_metrics",
    "shops.change_metric_settings",
    "shops.view_reports",
    "shops.manage_report_subscriptions",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        *_MANAGE_PEOPLE,
        *_VIEW_SERVICE_DATA,
        *_VIEW_COMMERCE,
        *_VIEW_INTAKE,
        "conversations.view_all_conversations",
        "shops.add_shop",
        "shops.change_shop",
        "accounts.view_apitoken",
        "accounts.change_apitoken",
        "auth.view_group",
        "core.view_auditentry",
        *_METRICS_ALL,
        *_QA_VIEW,
        *_QA_RULES,
        "notify.manage_notifications",
        *_TICKETS_WORK,
        *_TICKETS_MANAGE,
        "tickets.view_all_tickets",
        *_ROUTING_MANAGE,
        *_WFM_MANAGE,
    ],
    Role.SUPERVISOR: [
        *_VIEW_SERVICE_DATA,
        *_VIEW_COMMERCE,
        *_VIEW_INTAKE,
        "conversations.view_all_conversations",
        "accounts.change_team",
        "accounts.change_agent",
        "core.view_auditentry",
        *_METRICS_ALL,
        *_QA_VIEW,
        *_QA_RULES,
        "notify.manage_notifications",
        *_REVIEW,
        *_REVIEW_MANAGE,
        *_TICKETS_WORK,
        *_TICKETS_MANAGE,
        "tickets.view_all_tickets",
        *_SCRIPTS_APPROVE,
        *_SCRIPTS_PACKS,
        *_ROUTING_MANAGE,
        *_WFM_MANAGE,
        *_CUSTOMER_TAGS,
        *_SEGMENTS,
    ],
    Role.TEAM_LEAD: [
        *_VIEW_SERVICE_DATA,
        "conversations.view_team_conversations",
        "commerce.view_order",
        "commerce.view_aftersale",
        "shops.view_team_metrics",
        "shops.view_reports",
        *_QA_VIEW,
        *_REVIEW,
        *_TICKETS_WORK,
        "tickets.view_team_tickets",
        "tickets.view_ticket_report",
        *_SCRIPTS_APPROVE,
        *_ROUTING_VIEW,
        *_CUSTOMER_TAGS,
    ],
    Role.AGENT: [
        "conversations.view_conversation",
        "conversations.view_message",
        "customers.view_customer",
        "commerce.view_order",
        "commerce.view_aftersale",
        *_REVIEW_OWN,
        *_TICKETS_WORK,
        "tickets.view_own_tickets",
        *_SCRIPTS,
        *_WFM_OWN,
        *_CUSTOMER_TAGS,
    ],
    Role.QA: [
        *_VIEW_SERVICE_DATA, "conversations.view_all_conversations", "shops.view_team_metrics", *_QA_VIEW, *_REVIEW,
    ],
    Role.LOGISTICS: ["commerce.view_order", "commerce.view_aftersale", "commerce.view_logisticsevent",
                     *_TICKETS_DEPARTMENT],
    Role.PRODUCT: ["commerce.view_order", "commerce.view_aftersale", "commerce.view_review", *_TICKETS_DEPARTMENT],
    Role.OPERATIONS: [*_VIEW_COMMERCE, *_TICKETS_DEPARTMENT, *_SEGMENTS],
}


def _ensure_permissions_exist(using: str) -> None:
    # post_migrate reaches accounts before the apps listed after it in INSTALLED_APPS have
    # had their content types and default permissions created; create them now (both
    # functions are idempotent) so that every permission named above can be found.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    for app_label, model, codename, name in CUSTOM_PERMISSIONS:
        content_type = ContentType.objects.db_manager(using).get_by_natural_key(app_label, model)
        Permission.objects.using(using).update_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )


def roles_sync(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups and set their permissions to exactly ``ROLE_PERMISSIONS``."""
    from django.contrib.auth.models import Group, Permission

    _ensure_permissions_exist(using)
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted
    }
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"Role permissions that do not exist: {sorted(missing)}")
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([found[perm] for perm in ROLE_PERMISSIONS[role]])


def roles_sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate handler (connected to the accounts app only, so it runs once per migrate)."""
    roles_sync(using=using)
