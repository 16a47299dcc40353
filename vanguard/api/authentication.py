"""Token authentication (`Authorization: Token <key>`), with the login policy's password age applied to
every request: a token outlives nothing the page login would refuse."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from vanguard.accounts import policy


class TokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        user, token = super().authenticate_credentials(key)
        if policy.password_expired(user):
            raise exceptions.AuthenticationFailed(
                _("密码已过期或为初始密码:请先在网页上修改密码,再重新获取令牌。")
            )
        return user, token


class TokenScheme(OpenApiAuthenticationExtension):
    """The scheme as the schema describes it, in Chinese like the rest of the docs page."""

    target_class = TokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _(
                "先以 POST /api/v1/auth/token/ 获取令牌,填“Token <令牌>”(注意 Token 后有一个空格)。"
            ),
        }
