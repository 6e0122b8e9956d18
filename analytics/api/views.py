"""The staff sales report API: marketplace staff only; signed-in users who are not staff get
403, anonymous callers 401. The view checks the parameters and calls the selector."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsStaff
from analytics.api.serializers import ReportQuerySerializer, SalesReportSerializer
from analytics.selectors import sales_report

ERROR = OpenApiResponse(description="Error in the shape {error: {code, message, fields}}.")
STAFF_ERRORS = {
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="Signed in, but not marketplace staff."),
}


class AdminSalesReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsStaff]

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={200: SalesReportSerializer, 400: ERROR, **STAFF_ERRORS},
        summary="Sales report: GMV, orders, commission, refunds, sign-ups per period (staff)",
        description=(
            "Orders count on the UTC day they were paid, whatever happened to them later; "
            "refunds on the day they were confirmed; commission is the platform's net "
            "commission posted to the ledger. Amounts are decimal strings in `currency`."
        ),
        tags=["admin"],
    )
    def get(self, request: Request) -> Response:
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        report = sales_report(
            start=params["start"],
            end=params["end"],
            group=params["group"],
            currency=params["currency"],
            shop_id=params.get("shop"),
        )
        return Response(SalesReportSerializer(report).data)
