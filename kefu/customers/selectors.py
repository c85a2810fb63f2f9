"""Reads of customers: what a page may show of a customer's personal data."""

from dataclasses import dataclass

from kefu.customers.masking import mask_address, mask_phone
from kefu.customers.models import Customer

PERSONAL_DATA_PERMISSION = "accounts.view_personal_data"


@dataclass(frozen=True)
class PersonalData:
    phone: str
    address: str
    masked: bool


def customer_masked_data(*, customer: Customer) -> PersonalData:
    return PersonalData(phone=mask_phone(customer.phone), address=mask_address(customer.address), masked=True)


def user_can_view_personal_data(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(PERSONAL_DATA_PERMISSION)
