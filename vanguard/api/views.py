"""The token endpoint: the API's login, under the same rules as the page login."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vanguard.accounts import services as account_services

from .errors import ErrorSerializer


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        label=_("动态验证码"),
        max_length=10,
        required=False,
        allow_blank=True,
        help_text=_("党委办公室、支部书记、监督员、审计管理员须填写手机验证器上的6位动态验证码"),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=_("此后每个请求带“Authorization: Token <令牌>”"))


class TokenView(APIView):
    """Exchange a username and password (and, for roles that need one, a TOTP code) for an API token.

    Five failed attempts within 30 minutes lock the account and the address, exactly as on the login page;
    a password older than 90 days, or one set by someone else, must be changed on the web first."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        tags=["认证"],
        summary=_("获取令牌"),
        description=_(
            "用用户名和密码换取令牌;党委办公室、支部书记、监督员、审计管理员还须填写动态验证码(otp)。"
            "30分钟内连续失败5次,账户和来源地址锁定30分钟;密码超过90天或为初始密码时须先在网页上修改。"
            "同一用户再次获取得到同一令牌。"
        ),
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_("用户名或密码错误、账户或地址已锁定、缺少或错误的动态验证码、密码已过期"),
            ),
        },
        auth=[],
        examples=[
            OpenApiExample(
                "党员", value={"username": "wangjianguo", "password": "••••••••"}, request_only=True
            ),
            OpenApiExample(
                "支部书记(须动态验证码)",
                value={"username": "secretary", "password": "••••••••", "otp": "123456"},
                request_only=True,
            ),
            OpenApiExample(
                "错误的密码",
                value={"detail": "用户名或密码错误。连续失败5次将锁定30分钟。"},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = account_services.api_login_check(
            request=request._request,
            username=data["username"],
            password=data["password"],
            otp=data.get("otp", ""),
        )
        if result.user is None:
            return Response({"detail": result.error}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=result.user)
        return Response({"token": token.key})
