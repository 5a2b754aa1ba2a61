"""Live delivery: events from the services to every socket they are for (see hub.py)."""
