"""``kefu customers_rehash_phones``: recompute the phone lookup hashes (after rotating KEFU_DATA_KEY)."""

from django.core.management.base import BaseCommand

from kefu.customers.services import customer_phone_hashes_refresh


class Command(BaseCommand):
    help = "Recompute every customer's phone lookup hash; run it after rotating KEFU_DATA_KEY."

    def handle(self, *args, **options):
        changed = customer_phone_hashes_refresh()
        self.stdout.write(f"phone lookup hashes recomputed: {changed}")
