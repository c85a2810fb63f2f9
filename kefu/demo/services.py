"""The newcomer's demo: a simulated shop imported into the embedded database, and logins."""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kefu.accounts.models import Agent, User
from kefu.accounts.roles import Role
from kefu.accounts.services import user_create
from kefu.intake.engine import IntakeSummary
from kefu.intake.readers import file_records
from kefu.intake.services import events_import
from kefu.metrics.rollups import rollups_refresh
from kefu.shops.models import Shop

DEMO_SEED = 11
DEMO_FILE = "demo-events.jsonl.gz"
LOGINS_FILE = "demo-logins.json"
# (username, role, display name): who a newcomer can log in as.
DEMO_USERS = [
    ("zhuguan", Role.SUPERVISOR, "王主管"),
    ("zuzhang", Role.TEAM_LEAD, "李组长"),
    ("kefu01", Role.AGENT, ""),
    ("zhijian", Role.QA, "赵质检"),
    ("wuliu", Role.LOGISTICS, "物流部"),
]


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str


def demo_data_ensure(*, shops: int = 1, agents: int = 12, days: int = 14, fresh: bool = False) -> IntakeSummary | None:
    """Simulate and import the demo shop unless it is there already (then nothing is done)."""
    from kefu.demo.simulator import simulate, write_events

    if Shop.objects.exists() and not fresh:
        return None
    path = Path(settings.DATA_DIR) / DEMO_FILE
    write_events(simulate(shops=shops, agents=agents, days=days, seed=DEMO_SEED), path)
    _, summary = events_import(records=file_records(path), name=DEMO_FILE)
    rollups_refresh()  # the demo opens on current figures, without waiting for the worker
    return summary


@transaction.atomic
def demo_logins_ensure() -> list[DemoLogin]:
    """The demo's logins, created once; their passwords are kept beside the demo database."""
    path = Path(settings.DATA_DIR) / LOGINS_FILE
    known = json.loads(path.read_text()) if path.exists() else {}
    logins = []
    for username, role, display_name in DEMO_USERS:
        password = known.get(username)
        user = User.objects.filter(username=username).first()
        if user is None or password is None:
            password = secrets.token_urlsafe(9)
            if user is None:
                agent = Agent.objects.filter(user__isnull=True).order_by("ext_id").first() if role == Role.AGENT else None
                user = user_create(
                    username=username,
                    password=password,
                    roles=[role],
                    display_name=display_name or (agent.name if agent else username),
                    actor=None,
                )
                if agent is not None:
                    agent.user = user
                    agent.save(update_fields=["user"])
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
        logins.append(DemoLogin(username, password, role.value))
    path.write_text(json.dumps({login.username: login.password for login in logins}, indent=2))
    path.chmod(0o600)
    return logins


def demo_live_ensure() -> list[str]:
    """The live chat works in the demo: each shop gets 售前 and 售后 skill groups with its
    agents (by their skills; everyone when an agent has neither), and a test customer's
    widget address is returned per shop (paths, to put after the server's address)."""
    from django.urls import reverse

    from kefu.live.selectors import widget_settings_for
    from kefu.live.tokens import customer_token_make
    from kefu.routing.models import SkillGroup
    from kefu.routing.services import skill_group_create

    addresses = []
    for shop in Shop.objects.order_by("pk"):
        agents = list(Agent.objects.filter(shop=shop, active=True).order_by("ext_id"))
        for key, name, stage in (("presale", "售前", "presale"), ("aftersale", "售后", "aftersale")):
            if SkillGroup.objects.filter(shop=shop, key=key).exists():
                continue
            members = [a for a in agents if stage in (a.skills or []) or not {"presale", "aftersale"} & set(a.skills or [])]
            skill_group_create(shop=shop, key=key, name=name, stage=stage, members=members or agents)
        widget = widget_settings_for(shop)
        token = customer_token_make(secret=widget.secret, shop_ext=shop.ext_id, customer_ext="demo-visitor",
                                    nick="体验顾客", ttl_seconds=30 * 86400)
        addresses.append(f"{reverse('live:widget')}?token={token}")
    return addresses

