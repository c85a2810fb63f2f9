"""Metrics API: ``GET /api/v1/metrics`` (the figures, as ``kefu metrics --format json``) and
``GET /api/v1/metrics/definitions`` (what each key means)."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kefu.accounts.auth import ApiTokenAuth
from kefu.core.errors import PermissionDenied, ValidationError
from kefu.metrics.definitions import GROUPINGS, METRIC_BY_KEY, METRICS
from kefu.metrics.engine import metrics_compute, rows_as_json
from kefu.metrics.params import period_parse
from kefu.shops.models import Shop

router = Router(tags=["metrics"])


class MetricRowOut(Schema):
    group: dict[str, str]
    metrics: dict[str, int | float | str | None]


class MetricDefinitionOut(Schema):
    key: str
    name_zh: str
    name_en: str
    unit: str
    family: str
    formula_zh: str
    formula_en: str
    per_agent: bool


class ErrorOut(Schema):
    error: dict[str, str]


class MetricsQuery(Schema):
    start: str = Query(..., alias="from", description="first day (YYYY-MM-DD, shop time) or a time with offset")
    end: str = Query(..., alias="to", description="the day or time after the period (exclusive)")
    shop: str | None = Query(None, description="a shop's source id (a shop token is limited to its own)")
    by: str = Query("none", description=f"grouping: {', '.join(GROUPINGS)}")
    as_of: str | None = Query(None, description="compute as of this time (with offset); default now")
    metrics: str | None = Query(None, description="comma-separated metric keys; default all")


@router.get(
    "/metrics",
    auth=ApiTokenAuth(),
    response={200: list[MetricRowOut], 400: ErrorOut, 403: ErrorOut},
    summary="Metrics for a period",
    description=(
        "The figures of spec/metrics.md, exactly as `kefu metrics --format json` prints them: a list of "
        '`{"group": {...}, "metrics": {...}}`; ratios as fractions, times in seconds, money as decimal strings, '
        "null where a denominator is 0."
    ),
    openapi_extra={"responses": {
        200: {"description": "One row per group"},
        400: {"description": "A bad period, grouping or metric key"},
        403: {"description": "The token is limited to another shop"},
    }},
)
def metrics_get(request: HttpRequest, query: Query[MetricsQuery]):
    token = request.auth
    try:
        start, end, as_of = period_parse(query.start, query.end, query.as_of)
    except ValueError as error:
        raise ValidationError(str(error), code="bad_period") from None
    if query.by not in GROUPINGS:
        raise ValidationError(f"by must be one of {', '.join(GROUPINGS)}", code="bad_grouping")
    keys = None
    if query.metrics:
        keys = [k.strip() for k in query.metrics.split(",") if k.strip()]
        unknown = [k for k in keys if k not in METRIC_BY_KEY]
        if unknown:
            raise ValidationError(f"unknown metric(s): {', '.join(unknown)}", code="unknown_metric")
    if query.shop:
        if not token.is_admin and (token.shop is None or token.shop.ext_id != query.shop):
            raise PermissionDenied("This token is limited to another shop.", code="shop_scope")
        shops = list(Shop.objects.filter(ext_id=query.shop))
        if not shops:
            raise ValidationError(f"unknown shop {query.shop!r}", code="unknown_shop")
    else:
        shops = None if token.is_admin else [token.shop]
    rows = metrics_compute(start=start, end=end, shops=shops, by=query.by, as_of=as_of, keys=keys)
    return rows_as_json(rows)


@router.get(
    "/metrics/definitions",
    auth=ApiTokenAuth(),
    response={200: list[MetricDefinitionOut]},
    summary="What each metric key means",
    openapi_extra={"responses": {200: {"description": "Every metric of spec/metrics.md"}}},
)
def metric_definitions(request: HttpRequest):
    return [
        {"key": m.key, "name_zh": m.zh, "name_en": m.en, "unit": str(m.unit), "family": str(m.family),
         "formula_zh": m.formula_zh, "formula_en": m.formula_en, "per_agent": m.per_agent}
        for m in METRICS
    ]
