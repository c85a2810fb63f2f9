"""factory_boy factories of logins, teams, agents and API tokens.

``UserFactory(roles=[Role.AGENT], shops=[shop])`` puts the user in the role groups
(created by ``roles_sync`` after migrate) and limits them to the shops."""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from kefu.accounts.models import Agent, ApiToken, Team, User
from kefu.accounts.roles import STAFF_ROLES
from kefu.accounts.selectors import token_digest
from kefu.core.testing.factories import ShopFactory, SourceRecordFactory

PASSWORD = "kefu-test-password"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        groups = list(Group.objects.filter(name__in=[str(role) for role in extracted]))
        if len(groups) != len(set(extracted)):
            raise LookupError(f"Role groups missing for {extracted}: did roles_sync run after migrate?")
        self.groups.set(groups)
        if any(role in STAFF_ROLES for role in extracted):
            self.is_staff = True
            self.save(update_fields=["is_staff"])

    @factory.post_generation
    def shops(self, create, extracted, **kwargs):
        if create and extracted:
            self.shops.set(extracted)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"售前{n}组")


class AgentFactory(SourceRecordFactory):
    class Meta:
        model = Agent

    shop = factory.SubFactory(ShopFactory)
    ext_id = factory.Sequence(lambda n: f"a{n}")
    name = factory.Sequence(lambda n: f"小美{n}")
    skills = factory.LazyFunction(lambda: ["presale"])


class ApiTokenFactory(DjangoModelFactory):
    """A token whose plaintext is ``plaintext`` (default ``test-token-<n>``)."""

    class Meta:
        model = ApiToken
        exclude = ["plaintext"]

    plaintext = factory.Sequence(lambda n: f"test-token-{n:04d}")
    name = "test"
    prefix = factory.LazyAttribute(lambda o: o.plaintext[:8])
    digest = factory.LazyAttribute(lambda o: token_digest(o.plaintext))
    shop = factory.SubFactory(ShopFactory)
    is_admin = False
