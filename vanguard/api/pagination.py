"""Every list: `{"count", "next", "previous", "results"}`, 50 to a page, `?page_size=` up to 200."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200


# The paginator's parameters for `extend_schema(parameters=...)` of a paginated custom action:
# drf-spectacular adds them by itself only to `list` actions.
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description=gettext_lazy("页码")),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=gettext_lazy("每页条数,最多200")),
]
