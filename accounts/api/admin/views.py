"""The staff API (`/api/v1/admin/...`): marketplace staff only; signed-in users who are not
staff get 403, anonymous callers 401. Views fetch, check and call a service or selector."""

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.admin.serializers import (
    AdminUserQuerySerializer,
    AdminUserSerializer,
    BanSerializer,
    UnbanSerializer,
    self_ban_refusal,
)
from accounts.models import User
from accounts.permissions import IsStaff
from accounts.selectors import user_get_for_staff, user_list_for_staff
from marketmate.errors import ConflictError

ERROR = OpenApiResponse(description="Error in the shape {error: {code, message, fields}}.")
STAFF_ERRORS = {
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="Signed in, but not marketplace staff."),
}


class StaffAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsStaff]


class AdminUserListView(ListAPIView[User]):
    """Every user, searchable and filterable, for staff."""

    permission_classes = [permissions.IsAuthenticated, IsStaff]
    serializer_class = AdminUserSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[User]:
        query = AdminUserQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        users = user_list_for_staff(
            search=params.get("search", "").strip(),
            role=params.get("role", ""),
            status=params.get("status", ""),
        )
        if params.get("ordering"):
            users = users.order_by(params["ordering"], "-id")
        return users

    @extend_schema(
        parameters=[AdminUserQuerySerializer],
        responses={200: AdminUserSerializer(many=True), 400: ERROR, **STAFF_ERRORS},
        summary="Users: search by e-mail or name, filter by role and status (staff)",
        tags=["admin"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AdminBanUserView(StaffAPIView):
    @extend_schema(
        request=BanSerializer,
        responses={
            200: AdminUserSerializer,
            400: ERROR,
            404: ERROR,
            409: OpenApiResponse(description="The user is already banned."),
            **STAFF_ERRORS,
        },
        summary="Ban a user: they are signed out everywhere at once (staff, audited)",
        tags=["admin"],
    )
    def post(self, request: Request) -> Response:
        serializer = BanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff = cast(User, request.user)
        if serializer.validated_data["user_id"] == staff.pk:
            raise ValidationError(self_ban_refusal())
        user = user_get_for_staff(user_id=serializer.validated_data["user_id"])
        if user.is_banned:
            raise ConflictError(_("The user is already banned."))
        user = services.user_ban(user=user, actor=staff, reason=serializer.validated_data["reason"])
        return Response(AdminUserSerializer(user).data)


class AdminUnbanUserView(StaffAPIView):
    @extend_schema(
        request=UnbanSerializer,
        responses={
            200: AdminUserSerializer,
            400: ERROR,
            404: ERROR,
            409: OpenApiResponse(description="The user is not banned."),
            **STAFF_ERRORS,
        },
        summary="Lift a user's ban; they sign in again (staff, audited)",
        tags=["admin"],
    )
    def post(self, request: Request) -> Response:
        serializer = UnbanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_get_for_staff(user_id=serializer.validated_data["user_id"])
        if not user.is_banned:
            raise ConflictError(_("The user is not banned."))
        user = services.user_unban(
            user=user, actor=cast(User, request.user), reason=serializer.validated_data["reason"]
        )
        return Response(AdminUserSerializer(user).data)
