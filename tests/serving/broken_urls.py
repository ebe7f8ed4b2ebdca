"""The site's URLs plus one view that fails, for the 500-logging test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kaohe.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault in a view")


urlpatterns = [path("boom/", boom), *site]
