"""One error vocabulary for the whole project.

Services raise these domain errors; the API maps them to one JSON shape,
``{"error": {"code": ..., "message": ...}}`` (``install_api_error_handlers``), and pages
show them as a form error or a message. ``NotFound`` and ``PermissionDenied`` are also
Django's own 404/403 exceptions, so a page view that lets one escape gets the right
response without a try/except.
"""

from django.core import exceptions as django_exceptions
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError


class KefuError(Exception):
    """A domain error: a stable machine ``code`` and a human ``message`` (translatable)."""

    status = 400
    default_code = "error"
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, code: str | None = None, detail: dict | None = None):
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        self.detail = detail or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.detail:
            body["detail"] = self.detail
        return {"error": body}


class NotFound(KefuError, Http404):
    """Missing, or not visible to the caller: both give the same answer, on purpose."""

    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(KefuError, django_exceptions.PermissionDenied):
    """The caller is known but may not do this (e.g. a shop token touching another shop)."""

    status = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class ValidationError(KefuError):
    """The input is well-formed but breaks a business rule."""

    status = 400
    default_code = "invalid"
    default_message = _("The input is not valid.")


class Conflict(KefuError):
    """The action clashes with the current state (already done, already exists)."""

    status = 409
    default_code = "conflict"
    default_message = _("The request conflicts with the current state.")


def install_api_error_handlers(api) -> None:
    """Map domain errors, missing authentication and 404s of ``api`` to the one JSON shape."""

    def on_kefu_error(request, exc: KefuError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    def on_unauthorized(request, exc):
        error = KefuError(_("Authentication required: send a valid token as 'Authorization: Bearer TOKEN'."), code="unauthorized")
        return api.create_response(request, error.as_dict(), status=401)

    def on_http404(request, exc):
        return api.create_response(request, NotFound().as_dict(), status=404)

    api.add_exception_handler(KefuError, on_kefu_error)
    api.add_exception_handler(AuthenticationError, on_unauthorized)
    api.add_exception_handler(Http404, on_http404)
