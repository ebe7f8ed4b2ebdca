from django.urls import path

from . import views

# flat names, arguments in the forms: every route stays reachable by the role matrix and the
# fuzzer as they walk kaohe.urls
urlpatterns = [
    path("", views.calendar, name="workdays"),
    path("remove/", views.calendar_remove, name="workdays-remove"),
]
