from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm

from vanguard.core.forms import BootstrapMixin


class LoginForm(BootstrapMixin, AuthenticationForm):
    pass
