"""``kefu export_openapi``: write the API's OpenAPI schema to docs/openapi.json (committed;
a test fails when the code and the committed schema differ)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from config.api import api


class Command(BaseCommand):
    help = "Write the OpenAPI schema of the API to docs/openapi.json (or --out)."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=Path(settings.BASE_DIR) / "docs" / "openapi.json")

    def handle(self, *args, out, **options):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
        # Through JSON once: status codes become string keys, as the served schema has them.
        as_served = json.loads(json.dumps(schema))
        out.write_text(json.dumps(as_served, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        self.stdout.write(f"wrote {out}")
