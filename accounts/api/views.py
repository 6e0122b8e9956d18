from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import UserSerializer
from accounts.models import User


class UserMeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=UserSerializer, summary="The authenticated user")
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated let only users through
        return Response(UserSerializer(request.user).data)
