"""Every list: `{"count", "next", "previous", "results"}`, 50 to a page, `?page_size=` up to 200."""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200
