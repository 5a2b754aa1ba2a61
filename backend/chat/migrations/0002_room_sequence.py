"""Number each room's messages 1, 2, 3, ... (Message.seq) and remember the last (Room.last_seq)."""

from django.db import migrations, models

NUMBER_EXISTING = """
UPDATE chat_message SET seq = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY room_id ORDER BY id) AS n FROM chat_message)
    AS numbered
WHERE chat_message.id = numbered.id
"""

REMEMBER_LAST = """
UPDATE chat_room SET last_seq = COALESCE(
    (SELECT MAX(seq) FROM chat_message WHERE chat_message.room_id = chat_room.id), 0)
"""


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="room",
            name="last_seq",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="message",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunSQL(NUMBER_EXISTING, migrations.RunSQL.noop),
        migrations.RunSQL(REMEMBER_LAST, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="message",
            name="seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                fields=("room", "seq"), name="message_seq_once_per_room"
            ),
        ),
    ]
