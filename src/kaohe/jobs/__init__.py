"""Long work off the request (后台任务): computing a year, sending reminders — run by the
database-backed task worker, each with a progress record the page and the command line show."""
