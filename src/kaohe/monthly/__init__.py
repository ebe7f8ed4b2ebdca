"""The monthly cycle: months, department sheets, score entries, escalations, reminders."""
