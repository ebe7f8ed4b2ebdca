"""Kaohe (考核): organization-work assessment, end to end."""

__version__ = "0.1.0"
