"""The one API object: every app mounts its router here; the OpenAPI schema is generated
from the routes and served at /api/v1/openapi.json, with docs at /api/v1/docs."""

from ninja import NinjaAPI

from kefu.core.errors import install_api_error_handlers

api = NinjaAPI(
    title="Kefu API",
    version="1",
    description="Kefu (客服) JSON API. Authenticate with `Authorization: Bearer TOKEN` (create one with `kefu token create`).",
    urls_namespace="api",
)
install_api_error_handlers(api)
api.add_router("/", "kefu.intake.api.router")
api.add_router("/", "kefu.metrics.api.router")
api.add_router("/", "kefu.notify.api.router")
api.add_router("/", "kefu.tickets.api.router")
api.add_router("/", "kefu.scripts.api.router")
api.add_router("/", "kefu.routing.api.router")
