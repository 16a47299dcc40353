"""Password rules of 等保 2.0 level 3: at least 8 characters from at least 3 of the 4 character classes."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", set(string.ascii_lowercase)),
    ("upper", set(string.ascii_uppercase)),
    ("digit", set(string.digits)),
)


def character_classes(password: str) -> int:
    used = sum(1 for _name, chars in CLASSES if any(c in chars for c in password))
    # Anything else (punctuation, spaces, other scripts) counts as the fourth class, symbols.
    if any(not (c.isascii() and c.isalnum()) for c in password):
        used += 1
    return used


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号四类中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号四类中的至少%(n)d类。") % {"n": self.min_classes}
