"""Reports for mobile clients: a signed-in user reports a product, shop, review or message."""

from typing import cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from marketmate.throttling import ScopedWriteThrottle, scoped_throttles
from moderation.api.serializers import ReportCreateSerializer, ReportSerializer
from moderation.services import report_create


class ReportThrottle(ScopedWriteThrottle):
    """Reports per user (`API_THROTTLE_REPORTS`): enough for honest use, too few to flood staff."""

    scope = "reports"


ERROR = OpenApiResponse(description="The error shape.")


class ReportCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = scoped_throttles(ReportThrottle)

    @extend_schema(
        operation_id="reports_create",
        request=ReportCreateSerializer,
        responses={
            201: ReportSerializer,
            400: ERROR,
            401: ERROR,
            404: ERROR,
            409: ERROR,
            429: ERROR,
        },
        summary="Report a product, shop, review or message you can see to the marketplace staff.",
    )
    def post(self, request: Request) -> Response:
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = report_create(
            reporter=cast(User, request.user),
            kind=data["target_type"],
            target_id=data["target_id"],
            reason=data["reason"],
            details=data["details"],
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
