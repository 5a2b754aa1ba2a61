"""Channel-layer group names. Built from primary keys, never display names: the layer wants
short ASCII names, and a renamed or oddly named room must not change who hears what."""


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"
