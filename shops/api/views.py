from typing import cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from marketmate.parsers import MultiPartParser, StrictJSONParser
from shops import services
from shops.api.serializers import (
    MemberInviteSerializer,
    MemberRoleSerializer,
    MembershipSerializer,
    ShopApplySerializer,
    ShopInvitationSerializer,
    ShopMemberSerializer,
    ShopPublicSerializer,
    ShopSerializer,
    ShopUpdateSerializer,
)
from shops.exceptions import ShopInvitationInvalidError, ShopNotFoundError
from shops.models import ShopMember
from shops.permissions import HasShopRole
from shops.roles import ROLES_MEMBERS, ROLES_SETTINGS
from shops.selectors import (
    invitation_get_open,
    membership_get,
    memberships_for_user,
    shop_get_for_member,
    shop_get_public,
    shop_members_list,
)


def _user(request: Request) -> User:
    return cast(User, request.user)


class ShopCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=MembershipSerializer(many=True),
        summary="The shops you work for, with your role in each",
    )
    def get(self, request: Request) -> Response:
        memberships = memberships_for_user(user=request.user)
        return Response(MembershipSerializer(memberships, many=True).data)

    @extend_schema(
        request=ShopApplySerializer,
        responses={201: ShopSerializer},
        summary="Open a shop (active at once, or pending staff approval)",
    )
    def post(self, request: Request) -> Response:
        serializer = ShopApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shop = services.shop_apply(user=_user(request), **serializer.validated_data)
        return Response(ShopSerializer(shop).data, status=status.HTTP_201_CREATED)


class ShopDetailView(APIView):
    # Logos and banners arrive as multipart uploads, the rest as JSON.
    parser_classes = [StrictJSONParser, MultiPartParser]

    @extend_schema(responses=ShopPublicSerializer, summary="A shop (active, or your own)")
    def get(self, request: Request, shop_id: int) -> Response:
        shop = shop_get_public(shop_id=shop_id, user=request.user)
        member = membership_get(user=request.user, shop=shop)
        serializer = ShopSerializer if member else ShopPublicSerializer
        return Response(serializer(shop, context={"request": request}).data)

    @extend_schema(
        request=ShopUpdateSerializer,
        responses=ShopSerializer,
        summary="Change a shop's settings (owner or manager)",
    )
    def patch(self, request: Request, shop_id: int) -> Response:
        shop = shop_get_for_member(user=request.user, shop_id=shop_id, roles=ROLES_SETTINGS)
        serializer = ShopUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        shop = services.shop_update(shop=shop, actor=_user(request), data=serializer.validated_data)
        return Response(ShopSerializer(shop, context={"request": request}).data)


class ShopMembersView(APIView):
    permission_classes = [permissions.IsAuthenticated, HasShopRole.with_roles(ROLES_MEMBERS)]

    @extend_schema(responses=ShopMemberSerializer(many=True), summary="A shop's members (owner)")
    def get(self, request: Request, shop_id: int) -> Response:
        shop = shop_get_for_member(user=request.user, shop_id=shop_id, roles=ROLES_MEMBERS)
        return Response(ShopMemberSerializer(shop_members_list(shop=shop), many=True).data)

    @extend_schema(
        request=MemberInviteSerializer,
        responses={
            201: OpenApiResponse(ShopMemberSerializer, description="An existing user was added."),
            202: OpenApiResponse(
                ShopInvitationSerializer, description="An invitation was e-mailed."
            ),
        },
        summary="Add a member by e-mail, or invite the address (owner)",
    )
    def post(self, request: Request, shop_id: int) -> Response:
        shop = shop_get_for_member(user=request.user, shop_id=shop_id, roles=ROLES_MEMBERS)
        serializer = MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.member_invite(
            shop=shop, actor=_user(request), **serializer.validated_data
        )
        if isinstance(result, ShopMember):
            return Response(ShopMemberSerializer(result).data, status=status.HTTP_201_CREATED)
        return Response(ShopInvitationSerializer(result).data, status=status.HTTP_202_ACCEPTED)


class ShopMemberDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, HasShopRole.with_roles(ROLES_MEMBERS)]

    def _member(self, request: Request, shop_id: int, member_id: int) -> ShopMember:
        shop = shop_get_for_member(user=request.user, shop_id=shop_id, roles=ROLES_MEMBERS)
        member = shop_members_list(shop=shop).filter(pk=member_id).first()
        if member is None:
            raise ShopNotFoundError(_("Member not found."))
        return member

    @extend_schema(
        request=MemberRoleSerializer,
        responses=ShopMemberSerializer,
        summary="Change a member's role (owner)",
    )
    def patch(self, request: Request, shop_id: int, member_id: int) -> Response:
        member = self._member(request, shop_id, member_id)
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.member_role_set(
            member=member, actor=_user(request), role=serializer.validated_data["role"]
        )
        return Response(ShopMemberSerializer(member).data)

    @extend_schema(responses={204: None}, summary="Remove a member (owner)")
    def delete(self, request: Request, shop_id: int, member_id: int) -> Response:
        member = self._member(request, shop_id, member_id)
        services.member_remove(member=member, actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses=ShopMemberSerializer,
        summary="Accept a shop invitation sent to your e-mail address",
    )
    def post(self, request: Request, token: str) -> Response:
        invitation = invitation_get_open(token=token)
        if invitation is None:
            raise ShopInvitationInvalidError(_("This invitation is not valid any more."))
        member = services.invitation_accept(invitation=invitation, user=_user(request))
        return Response(ShopMemberSerializer(member).data)
