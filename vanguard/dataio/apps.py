from django.apps import AppConfig


class DataioConfig(AppConfig):
    name = "vanguard.dataio"
    label = "dataio"
    verbose_name = "导入导出"
