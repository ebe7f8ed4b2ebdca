"""Units, departments, users and their roles."""
