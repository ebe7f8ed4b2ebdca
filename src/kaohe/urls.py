"""URL map."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kaohe.web import (
    audit_log,
    closing,
    confirmations,
    evaluation,
    jobs,
    results,
    sheets,
    versions,
    views,
    withdraw,
    yearend,
)
from kaohe.web.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("years/", views.year_list, name="years"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("years/<int:year>/targets/", views.targets, name="targets"),
    path("years/<int:year>/rubric.xlsx", views.rubric_xlsx, name="rubric-xlsx"),
    path(
        "years/<int:year>/months/<int:month>/ranking.xlsx",
        results.ranking_xlsx,
        name="ranking-xlsx",
    ),
    path("years/<int:year>/letters/<str:code>/", views.letter, name="letter"),
    path("years/<int:year>/versions/", versions.version_list, name="versions"),
    path("years/<int:year>/versions/<int:pk>/", versions.version_detail, name="version"),
    path(
        "years/<int:year>/versions/<int:pk>/confirm/",
        versions.version_confirm_view,
        name="version-confirm",
    ),
    path(
        "years/<int:year>/versions/<int:pk>/discard/",
        versions.version_discard_view,
        name="version-discard",
    ),
    path("years/<int:year>/months/<int:month>/", sheets.cycle_detail, name="cycle"),
    path("years/<int:year>/months/<int:month>/ranking/", results.ranking, name="ranking"),
    path("years/<int:year>/units/<str:code>/", results.unit_page, name="unit"),
    path("years/<int:year>/escalations/", results.escalations, name="escalations"),
    path("sheets/<int:sheet_id>/", sheets.sheet_detail, name="sheet"),
    path("sheets/<int:sheet_id>/cells/<str:code>/<str:item>/", sheets.cell_edit, name="cell"),
    path("sheets/<int:sheet_id>/submit/", sheets.sheet_submit_view, name="sheet-submit"),
    path("sheets/<int:sheet_id>/sheet.xlsx", sheets.sheet_xlsx, name="sheet-xlsx"),
    path("sheets/<int:sheet_id>/clean/", sheets.sheet_clean_view, name="sheet-clean"),
    path("sheets/<int:sheet_id>/accept/", sheets.sheet_accept_view, name="sheet-accept"),
    path("sheets/<int:sheet_id>/return/", sheets.sheet_return_view, name="sheet-return"),
    path("sheets/<int:sheet_id>/withdraw/", withdraw.sheet_withdraw_view, name="sheet-withdraw"),
    path("confirmations/", confirmations.confirmations, name="confirmations"),
    path(
        "confirmations/cells/<int:pk>/confirm/",
        confirmations.deduction_confirm_view,
        name="deduction-confirm",
    ),
    path(
        "confirmations/cells/<int:pk>/refuse/",
        confirmations.deduction_refuse_view,
        name="deduction-refuse",
    ),
    path(
        "confirmations/vetoes/<int:pk>/confirm/",
        confirmations.veto_confirm_view,
        name="veto-confirm",
    ),
    path(
        "confirmations/vetoes/<int:pk>/refuse/", confirmations.veto_refuse_view, name="veto-refuse"
    ),
    path("years/<int:year>/declarations/", yearend.declarations, name="declarations"),
    path("declarations/<int:pk>/", yearend.declaration_detail, name="declaration"),
    path("evidence/<int:pk>/", yearend.evidence_file, name="evidence"),
    path("years/<int:year>/evaluation/", evaluation.evaluation, name="evaluation"),
    path("ballot/<str:code>/", evaluation.ballot, name="ballot"),
    path("years/<int:year>/results/", closing.results, name="results"),
    path("years/<int:year>/results/<str:code>/", closing.annual_unit, name="annual-unit"),
    path("years/<int:year>/use/", closing.results_use, name="use"),
    path("years/<int:year>/use.<str:fmt>", closing.results_use, name="use-export"),
    path("notices/", closing.notice_list, name="notices"),
    path("notices/<int:year>/", closing.notice, name="notice"),
    path("notices/<int:year>/notice.pdf", closing.notice_pdf, name="notice-pdf"),
    path("audit/", audit_log.audit_log, name="audit-log"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job"),
    path("workdays/", include("kaohe.workdays.urls")),
    path("admin/", admin.site.urls),
]
