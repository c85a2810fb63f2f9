"""The domain error vocabulary and its one JSON shape on the API."""

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.testing import TestClient

from kefu.core.errors import Conflict, KefuError, NotFound, PermissionDenied, ValidationError, install_api_error_handlers


def _api():
    api = NinjaAPI(urls_namespace="test-errors")
    install_api_error_handlers(api)

    @api.get("/missing")
    def missing(request):
        raise NotFound()

    @api.get("/forbidden")
    def forbidden(request):
        raise PermissionDenied("no", code="shop_scope")

    @api.get("/invalid")
    def invalid(request):
        raise ValidationError("bad date", detail={"field": "at"})

    @api.get("/django404")
    def django404(request):
        raise Http404("gone")

    @api.get("/private", auth=lambda request: None)
    def private(request):
        return {"ok": True}

    return TestClient(api)


def test_error_as_dict_has_one_shape():
    assert Conflict("twice", code="already").as_dict() == {"error": {"code": "already", "message": "twice"}}


def test_not_found_is_django_404_and_permission_denied_is_django_403():
    assert isinstance(NotFound(), Http404)
    assert isinstance(PermissionDenied(), DjangoPermissionDenied)
    assert isinstance(NotFound(), KefuError)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/missing", 404, "not_found"),
        ("/forbidden", 403, "shop_scope"),
        ("/invalid", 400, "invalid"),
        ("/django404", 404, "not_found"),
        ("/private", 401, "unauthorized"),
    ],
)
def test_api_maps_errors_to_the_json_shape(path, status, code):
    response = _api().get(path)
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_api_error_detail_is_kept():
    assert _api().get("/invalid").json()["error"]["detail"] == {"field": "at"}
