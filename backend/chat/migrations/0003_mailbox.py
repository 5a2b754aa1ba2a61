"""Number each user's received private messages 1, 2, 3, ... (DirectMessage.recipient_seq), and
remember the last in their Mailbox."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

NUMBER_EXISTING = """
UPDATE chat_directmessage SET recipient_seq = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY recipient_id ORDER BY id) AS n
      FROM chat_directmessage) AS numbered
WHERE chat_directmessage.id = numbered.id
"""

REMEMBER_LAST = """
INSERT INTO chat_mailbox (user_id, last_seq)
SELECT recipient_id, MAX(recipient_seq) FROM chat_directmessage GROUP BY recipient_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0002_room_sequence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Mailbox",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("last_seq", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="directmessage",
            name="recipient_seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunSQL(NUMBER_EXISTING, migrations.RunSQL.noop),
        migrations.RunSQL(REMEMBER_LAST, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="directmessage",
            name="recipient_seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="directmessage",
            constraint=models.UniqueConstraint(
                fields=("recipient", "recipient_seq"), name="direct_message_seq_once_per_recipient"
            ),
        ),
    ]
