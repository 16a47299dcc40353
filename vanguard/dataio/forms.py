from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.core.forms import BootstrapMixin

from . import workbook


class ImportUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("人员名册文件"),
        help_text=_("Excel(.xlsx)文件,不超过10 MB;工作表“党组织”“网格”“人员”,第1行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The content is checked once the file is stored (workbook.check_file); the size can be refused now.
        if upload.size > workbook.MAX_FILE_BYTES:
            raise ValidationError(workbook.size_message(upload.size))
        return upload
