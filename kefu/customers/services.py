"""Customer actions. Seeing a customer's unmasked personal data is an action: it is
allowed to few, and every time it happens it is written to the audit log."""

from django.db import transaction

from kefu.core.audit import audit_record
from kefu.customers.models import Customer
from kefu.customers.selectors import PersonalData, customer_masked_data, user_can_view_personal_data


@transaction.atomic
def customer_personal_data(*, customer: Customer, user, request=None) -> PersonalData:
    """The customer's phone and address: unmasked (and audited) for users with
    ``accounts.view_personal_data``, masked for everyone else."""
    if not user_can_view_personal_data(user):
        return customer_masked_data(customer=customer)
    audit_record(
        actor=user,
        action="customer.view_personal_data",
        target=customer,
        detail={"fields": ["phone", "address"]},
        request=request,
    )
    return PersonalData(phone=customer.phone, address=customer.address, masked=False)
