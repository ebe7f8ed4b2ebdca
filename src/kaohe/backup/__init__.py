"""Backups that restore: `kaohe backup -o FILE` writes one checked archive (database snapshot,
portable dump, evidence files, manifest); `kaohe restore FILE` puts it back into an empty
database and evidence folder, all or nothing, and verifies it (docs/backup.md)."""
