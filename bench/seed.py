"""Users, rooms and access tokens, written straight into the scratch database.

Registering 10,000 users over REST would hash 10,000 passwords (~100 ms each); the bench needs
users that can open sockets, not log in, so it bulk-creates them with unusable passwords and
mints their access tokens the way the login view does. The parent side (seed_database) runs
this module as `python -m bench.seed` with the server's environment, so Django, its settings and
its database are exactly the server's.
"""

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from bench.server import ServerConfig, run_django

USERNAME_PREFIX = "bench"


@dataclass(frozen=True)
class User:
    username: str
    token: str


@dataclass(frozen=True)
class Seed:
    """What the client needs from the database: who may connect, and where messages are stored."""

    users: list[User]
    rooms: list[str]
    message_table: str
    room_table: str
    message_room_column: str


def seed_database(config: ServerConfig, *, users: int, rooms: list[str], out: Path) -> Seed:
    run_django(config, ["-m", "bench.seed", str(out), *rooms, "--users", str(users)])
    data = json.loads(out.read_text())
    return Seed(
        users=[User(username, token) for username, token in data["users"]],
        rooms=data["rooms"],
        message_table=data["message_table"],
        room_table=data["room_table"],
        message_room_column=data["message_room_column"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Seed a bench database (run by bench itself).")
    parser.add_argument("out", type=Path)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("rooms", nargs="*")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import AccessToken

    from chat.models import Message, Room

    user_model = get_user_model()
    people = [user_model(username=f"{USERNAME_PREFIX}{n:05d}") for n in range(args.users)]
    for person in people:
        person.set_unusable_password()
    # PostgreSQL returns the new primary keys, which the tokens need.
    user_model.objects.bulk_create(people, batch_size=2000)
    Room.objects.bulk_create([Room(name=name) for name in args.rooms], batch_size=2000)
    args.out.write_text(
        json.dumps(
            {
                "users": [[p.username, str(AccessToken.for_user(p))] for p in people],
                "rooms": args.rooms,
                "message_table": Message._meta.db_table,
                "room_table": Room._meta.db_table,
                "message_room_column": Message._meta.get_field("room").column,
            }
        )
    )


if __name__ == "__main__":
    main()
