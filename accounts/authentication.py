from typing import Any

from django.utils.translation import gettext as _
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from accounts.token_denylist import token_is_denied

# The JWT claim with the user's sign-in version (`User.auth_version`) when the token was issued.
AUTH_VERSION_CLAIM = "ver"


class JWTAuthentication(SimpleJWTAuthentication):
    """simplejwt's bearer authentication, which also refuses inactive (banned) users, plus the
    sign-in version: a token issued before a ban or a password reset fails at once."""

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        if validated_token.get(AUTH_VERSION_CLAIM, 0) != getattr(user, "auth_version", 0):
            raise AuthenticationFailed(_("Token is no longer valid."), code="token_revoked")
        if token_is_denied(payload=validated_token.payload):
            # Signed out (accounts.token_denylist).
            raise AuthenticationFailed(_("Token is no longer valid."), code="token_revoked")
        return user
