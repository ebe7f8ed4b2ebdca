"""Key the chain and keep its head apart. Events already written keep their plain SHA-256 hash
(marked ``algo = "sha256"``, never rewritten); the head records where they end."""

from typing import Any

from django.db import migrations, models

from kaohe.audit.chain import GENESIS, head_mac


def create_head(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    events = event_model.objects.using(db)
    last = events.order_by("-id").values("id", "hash").first()
    count = events.count()
    last_id = last["id"] if last else None
    last_hash = last["hash"] if last else GENESIS
    legacy_last_id = last_id or 0
    head_model.objects.using(db).create(
        id=1,
        count=count,
        last_id=last_id,
        last_hash=last_hash,
        legacy_last_id=legacy_last_id,
        mac=head_mac(count, last_id, last_hash, legacy_last_id),
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="algo",
            field=models.CharField(default="sha256", max_length=16),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="algo",
            field=models.CharField(default="hmac-sha256", max_length=16),
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("count", models.BigIntegerField(default=0)),
                ("last_id", models.BigIntegerField(blank=True, null=True)),
                ("last_hash", models.CharField(default=GENESIS, max_length=64)),
                ("legacy_last_id", models.BigIntegerField(default=0)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "audit chain head",
                "verbose_name_plural": "audit chain head",
            },
        ),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
