"""Intake API: ``POST /api/v1/events`` takes a batch of events.md records."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from kefu.accounts.auth import ApiTokenAuth
from kefu.core.errors import KefuError
from kefu.intake.handlers import TYPE_ORDER
from kefu.intake.models import ImportSource
from kefu.intake.readers import jsonl_body_records
from kefu.intake.schema import RecordError
from kefu.intake.services import events_import

router = Router(tags=["intake"])


class RejectedOut(Schema):
    index: int
    type: str
    id: str
    reason: str


class BatchResultOut(Schema):
    run_id: int
    records: int
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    rejected_count: int
    rejected: list[RejectedOut]
    unresolved: dict[str, int]


class ErrorOut(Schema):
    error: dict[str, str]


_BODY_SCHEMA = {
    "description": (
        "A JSON array of records, or JSON Lines (one record per line, `Content-Type: application/x-ndjson`), "
        f"at most {settings.KEFU_API_MAX_BATCH:,} records. The record types and their fields are those of "
        "spec/events.md (docs/import-formats.md)."
    ),
    "required": True,
    "content": {
        media: {
            "schema": {
                "type": "array",
                "maxItems": settings.KEFU_API_MAX_BATCH,
                "items": {
                    "type": "object",
                    "required": ["type", "id"],
                    "properties": {"type": {"type": "string", "enum": list(TYPE_ORDER)}, "id": {"type": "string"}},
                    "additionalProperties": True,
                },
            }
        }
        for media in ("application/json", "application/x-ndjson")
    },
}


class BatchTooLarge(KefuError):
    status = 413
    default_code = "batch_too_large"


class MalformedBody(KefuError):
    status = 400
    default_code = "malformed_body"


@router.post(
    "/events",
    auth=ApiTokenAuth(),
    response={200: BatchResultOut, 400: ErrorOut, 413: ErrorOut},
    summary="Import a batch of records",
    description=(
        "Idempotent: a record already stored unchanged is counted as unchanged; a changed one is updated. "
        "Bad records are rejected with their 0-based index and the reason; the good ones are kept. "
        "A shop-scoped token may only write records of its shop."
    ),
    openapi_extra={
        "requestBody": _BODY_SCHEMA,
        # Written out: the default texts are Python's HTTP reason phrases, which change between versions.
        "responses": {
            200: {"description": "The batch was taken in: counts per type, rejected records, unresolved references"},
            400: {"description": "The body is not a JSON array nor JSON Lines"},
            413: {"description": "More records or bytes than one batch may carry"},
        },
    },
)
def events_post(request: HttpRequest):
    token = request.auth
    # A full batch is larger than Django's form-upload limit, so the body is read from the
    # stream under the API's own limit instead of through request.body.
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.KEFU_API_MAX_BODY_BYTES:
        raise BatchTooLarge(f"the body has {length:,} bytes; at most {settings.KEFU_API_MAX_BODY_BYTES:,} are accepted")
    try:
        records = list(jsonl_body_records(request.read()))
    except RecordError as error:
        raise MalformedBody(str(error)) from None
    if len(records) > settings.KEFU_API_MAX_BATCH:
        raise BatchTooLarge(f"{len(records)} records in one batch; at most {settings.KEFU_API_MAX_BATCH} are accepted")
    run, summary = events_import(
        records=records, source=ImportSource.API, name=f"API batch of {len(records)}", scope=token.shop, token=token
    )
    result = summary.as_dict()
    return {
        "run_id": run.pk,
        "records": summary.records,
        "created": result["created"],
        "updated": result["updated"],
        "unchanged": result["unchanged"],
        "rejected_count": len(summary.rejected),
        "rejected": [{"index": r.line, "type": r.type, "id": r.id, "reason": r.reason} for r in summary.rejected],
        "unresolved": result["unresolved"],
    }
