from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """The default for small, stable lists: `?page=` and `?page_size=` up to 100."""

    page_size_query_param = "page_size"
    max_page_size = 100


class CursorPagination(pagination.CursorPagination):
    """For big lists that change while they are read (products, orders, messages)."""

    ordering = "-created"
    page_size_query_param = "page_size"
    max_page_size = 100
