from typing import Any, cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from accounts import services
from accounts.api.serializers import (
    AuthMessageSerializer,
    ForgotPasswordSerializer,
    LoginSerializer,
    RefreshSerializer,
    RegisterSerializer,
    ResetPasswordSerializer,
    TokenPairSerializer,
    UserAddressSerializer,
    UserSerializer,
    UserUpdateSerializer,
    VerifyEmailSerializer,
)
from accounts.authentication import AUTH_VERSION_CLAIM
from accounts.exceptions import RateLimitedError
from accounts.models import User
from accounts.ratelimits import rate_limit_consume
from accounts.selectors import address_get_for_user, address_list_for_user
from marketmate.parsers import MultiPartParser, StrictJSONParser
from marketmate.throttling import AuthThrottle, UploadThrottle, scoped_throttles

ERRORS = {
    400: OpenApiResponse(description="Invalid fields (the `fields` of the error)."),
    429: OpenApiResponse(description="Too many attempts; see the `Retry-After` header."),
}


def _user(request: Request) -> User:
    return cast(User, request.user)


class AuthView(APIView):
    """The sign-in endpoints: open to anyone, without session or bearer authentication, and
    rate limited by IP address (`RateLimitedError` answers 429 with `Retry-After`)."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = scoped_throttles(AuthThrottle)
    rate_limit_scope = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.rate_limit_scope and request.method == "POST":
            rate_limit_consume(request=request, scope=self.rate_limit_scope)

    def get_authenticate_header(self, request: Request) -> str:
        # A refused token is 401 (with this header), as on the authenticated endpoints.
        return 'Bearer realm="api"'

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RateLimitedError):
            exc = Throttled(wait=exc.retry_after, detail=exc.message)
        return super().handle_exception(exc)


class RegisterView(AuthView):
    rate_limit_scope = "register"

    @extend_schema(
        request=RegisterSerializer,
        responses={202: AuthMessageSerializer, **ERRORS},
        summary="Sign up; a verification e-mail is sent (the answer is the same for an address "
        "that already has an account, whose owner is e-mailed instead)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_register(request=request._request, **serializer.validated_data)
        # The same answer whether the address was free or taken: no account enumeration.
        message = _("Check your inbox: we sent a link to confirm the address.")
        return Response({"message": message}, status=status.HTTP_202_ACCEPTED)


class LoginView(AuthView):
    rate_limit_scope = "login"

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: TokenPairSerializer,
            401: OpenApiResponse(
                description=(
                    "Wrong e-mail address or password (`invalid_credentials`), or a missing "
                    "or wrong second-factor code (`second_factor_required`)."
                )
            ),
            403: OpenApiResponse(description="The account is suspended."),
            **ERRORS,
        },
        summary="Sign in: a JWT access and refresh token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request._request, **serializer.validated_data)
        return Response(services.user_tokens_issue(user=user))


class RotatingRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh (rotation, blacklist of the old token), which also refuses tokens of
    deleted users and tokens from before a ban or password reset."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = RefreshToken(attrs["refresh"])
        user_id = refresh.payload.get("user_id")
        user = User.objects.filter(pk=user_id).first() if user_id is not None else None
        if user is None or refresh.payload.get(AUTH_VERSION_CLAIM, 0) != user.auth_version:
            raise AuthenticationFailed(_("Token is no longer valid."), code="token_revoked")
        return super().validate(attrs)


class RefreshView(TokenRefreshView):
    serializer_class = RotatingRefreshSerializer
    authentication_classes = ()
    throttle_classes = scoped_throttles(AuthThrottle)

    @extend_schema(
        request=RefreshSerializer,
        responses={
            200: TokenPairSerializer,
            401: OpenApiResponse(description="The refresh token is invalid, used or revoked."),
        },
        summary="A new access token; the refresh token rotates (the old one is revoked)",
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class LogoutView(AuthView):
    @extend_schema(
        request=RefreshSerializer,
        responses={
            204: OpenApiResponse(
                description="The refresh token is revoked for good, and the access tokens of "
                "that sign-in (and the bearer token of the call) stop working."
            ),
            401: OpenApiResponse(description="The refresh token is invalid or already revoked."),
        },
        summary="Sign out: revoke a refresh token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scheme, _space, access = request.headers.get("Authorization", "").partition(" ")
        try:
            services.user_sign_out_tokens(
                refresh=serializer.validated_data["refresh"],
                access=access.strip() if scheme.lower() == "bearer" else None,
            )
        except TokenError as error:
            raise InvalidToken(str(error)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class ForgotPasswordView(AuthView):
    rate_limit_scope = "forgot_password"

    @extend_schema(
        request=ForgotPasswordSerializer,
        responses={202: AuthMessageSerializer, **ERRORS},
        summary="E-mail a password reset link (the answer is the same for unknown addresses)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = ForgotPasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(
            request=request._request, email=serializer.validated_data["email"]
        )
        message = _("If an account uses this address, a reset link is on its way.")
        return Response({"message": message}, status=status.HTTP_202_ACCEPTED)


class ResetPasswordView(AuthView):
    rate_limit_scope = "reset_password"

    @extend_schema(
        request=ResetPasswordSerializer,
        responses={204: OpenApiResponse(description="The password is changed."), **ERRORS},
        summary="Set a new password with the reset link's uid and token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = ResetPasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_reset(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(AuthView):
    @extend_schema(
        request=VerifyEmailSerializer,
        responses={204: OpenApiResponse(description="The address is verified."), **ERRORS},
        summary="Verify an e-mail address with the key of the verification link",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = VerifyEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.email_verify(request=request._request, key=serializer.validated_data["key"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserMeView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser, MultiPartParser]
    throttle_classes = scoped_throttles(UploadThrottle)

    @extend_schema(responses=UserSerializer, summary="The authenticated user", tags=["users"])
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(_user(request), context={"request": request}).data)

    @extend_schema(
        request=UserUpdateSerializer,
        responses={200: UserSerializer, 400: ERRORS[400]},
        summary="Change your profile; a new e-mail address is used once verified",
        tags=["users"],
    )
    def patch(self, request: Request) -> Response:
        serializer = UserUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        email = data.pop("email", None)
        user = services.user_profile_update(user=_user(request), data=data)
        if email and email.lower() != user.email.lower():
            services.user_email_change_request(request=request._request, user=user, email=email)
        return Response(UserSerializer(user, context={"request": request}).data)


class AddressListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=UserAddressSerializer(many=True), summary="Your address book", tags=["users"]
    )
    def get(self, request: Request) -> Response:
        addresses = address_list_for_user(user=_user(request))
        return Response(UserAddressSerializer(addresses, many=True).data)

    @extend_schema(
        request=UserAddressSerializer,
        responses={201: UserAddressSerializer, 400: ERRORS[400]},
        summary="Add an address",
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = UserAddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(user=_user(request), data=serializer.validated_data)
        return Response(UserAddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserAddressSerializer, summary="One of your addresses", tags=["users"])
    def get(self, request: Request, address_id: int) -> Response:
        address = address_get_for_user(user=_user(request), address_id=address_id)
        return Response(UserAddressSerializer(address).data)

    @extend_schema(
        request=UserAddressSerializer,
        responses={200: UserAddressSerializer, 400: ERRORS[400]},
        summary="Change an address",
        tags=["users"],
    )
    def patch(self, request: Request, address_id: int) -> Response:
        address = address_get_for_user(user=_user(request), address_id=address_id)
        serializer = UserAddressSerializer(address, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        address = services.address_update(address=address, data=serializer.validated_data)
        return Response(UserAddressSerializer(address).data)

    @extend_schema(
        responses={204: OpenApiResponse(description="The address is deleted.")},
        summary="Delete an address",
        tags=["users"],
    )
    def delete(self, request: Request, address_id: int) -> Response:
        address = address_get_for_user(user=_user(request), address_id=address_id)
        services.address_delete(address=address)
        return Response(status=status.HTTP_204_NO_CONTENT)
