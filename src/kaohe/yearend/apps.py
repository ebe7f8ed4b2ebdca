from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YearendConfig(AppConfig):
    name = "kaohe.yearend"
    verbose_name = _("Year end")
