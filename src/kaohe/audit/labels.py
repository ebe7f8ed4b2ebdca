"""Chinese names for audit actions and object types (the page shows these, the chain keeps
the codes). An action missing here is shown by its code, never hidden."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "admin.add": _("Set-up: record added"),
    "admin.change": _("Set-up: record changed"),
    "admin.delete": _("Set-up: record removed"),
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed login"),
    "auth.lockout": _("Account locked after failed logins"),
    "auth.logout": _("Logged out"),
    "auth.session_expired": _("Session ended (idle or too long)"),
    "ballot.cast": _("Ballot cast"),
    "ballots.issue": _("Ballot codes issued"),
    "ballots.print": _("Ballot codes printed"),
    "ballots.reprint": _("Ballot codes printed again"),
    "calendar.add": _("Calendar day added"),
    "calendar.change": _("Calendar day changed"),
    "calendar.remove": _("Calendar day removed"),
    "calendar.restore": _("Calendar day restored"),
    "cycle.open": _("Month opened"),
    "declaration.decide": _("Declaration decided"),
    "declaration.submit": _("Declaration submitted"),
    "declaration.withdraw": _("Declaration withdrawn"),
    "declarations.close": _("Declaration window closed"),
    "declarations.open": _("Declaration window opened"),
    "deduction.confirm": _("Large deduction confirmed"),
    "deduction.refuse": _("Large deduction refused"),
    "demo.seed": _("Demo data loaded"),
    "department.head": _("Department head named or ended"),
    "entry.correct": _("Score corrected after acceptance"),
    "entry.save": _("Score saved"),
    "escalation.raise": _("Escalation raised"),
    "escalation.update": _("Escalation updated"),
    "evaluation.close": _("Evaluation closed"),
    "evaluation.open": _("Evaluation opened"),
    "evidence.add": _("Evidence attached"),
    "evidence.mismatch": _("Evidence file changed on disk"),
    "fault.record": _("Fault recorded by the office"),
    "notice.publish": _("Notice published"),
    "notice.reopen": _("Notice reopened"),
    "objection.answer": _("Objection answered"),
    "objection.lodge": _("Objection lodged"),
    "otp.enrol": _("Second factor set up"),
    "otp.failed": _("Wrong second-factor code"),
    "otp.recovery_renew": _("Recovery codes renewed"),
    "otp.recovery_used": _("Logged in with a recovery code"),
    "otp.reset": _("Second factor removed by the office"),
    "otp.throttled": _("Second-factor code refused: too many tries"),
    "otp.verify": _("Second factor confirmed"),
    "results.approve": _("Results approved"),
    "results.compute": _("Results aggregated"),
    "results.finalize": _("Results made final"),
    "results.reopen": _("Year reopened"),
    "results.return": _("Results returned"),
    "results.submit": _("Results submitted for review"),
    "scheme_version.confirm": _("Scheme version confirmed"),
    "scheme_version.discard": _("Scheme version draft discarded"),
    "scheme_version.upload": _("Scheme version draft uploaded"),
    "sheet.accept": _("Sheet accepted"),
    "sheet.mark_clean": _("Remaining cells scored clean"),
    "sheet.return": _("Sheet returned"),
    "sheet.submit": _("Sheet submitted"),
    "sheet.upload": _("Sheet uploaded from Excel"),
    "sheet.withdraw": _("Sheet withdrawn by its department"),
    "sheet.xlsx": _("Offline sheet downloaded"),
    "target.set": _("Target set"),
    "user.disable": _("Account disabled"),
    "user.enable": _("Account enabled again"),
    "user.password": _("Password changed"),
    "user.password_reset": _("Password reset to a one-time password"),
    "user.roles": _("Roles changed"),
    "veto.confirm": _("Veto fault confirmed"),
    "veto.refuse": _("Veto fault refused"),
    "year.create": _("Year created"),
}


OBJECTS = {
    "auth.login": _("Login"),
    "monthly.confirmation": _("Second confirmation"),
    "monthly.cycle": _("Month"),
    "monthly.entry": _("Score"),
    "monthly.escalationcase": _("Escalation"),
    "monthly.sheet": _("Scoring sheet"),
    "people.department": _("Department"),
    "people.unit": _("Unit"),
    "people.user": _("User"),
    "workdays.calendarday": _("Calendar day"),
    "yearend.closing": _("Year-end results"),
    "yearend.declaration": _("Declaration"),
    "yearend.evaluation": _("Recognition evaluation"),
    "yearend.evidence": _("Evidence file"),
    "yearend.objection": _("Objection"),
    "years.schemeversion": _("Scheme version"),
    "years.target": _("Target"),
    "years.year": _("Assessment year"),
}


def object_label(code: str) -> str:
    label = OBJECTS.get(code)
    return str(label) if label is not None else code


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return str(label) if label is not None else code
