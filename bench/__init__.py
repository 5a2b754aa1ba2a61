"""Live-delivery benchmark of the chat server: `python -m bench --help` (run from the repo root).

The package starts everything it measures itself, the way production runs it: a private
redis-server, a scratch PostgreSQL database (created, migrated and seeded for the run, dropped at
the end), and one or two `python -m config.server` processes. The load client runs in this
process, apart from the server, and speaks only the public protocol (docs/protocol.md), so it
measures any server that keeps that contract.

Modules, in the order a run uses them: `machine` (what ran where), `server` (child processes and
/proc readings), `seed` (users, rooms and tokens straight into the database), `context` (what a
scenario is given), `client` (one socket per user, followed across closes and resumes), `load`
(a measured window of sending), `meters` (CPU at both ends of it), `accounting` (exact loss per
socket against the stored messages), `scenarios`, `smoke`, `runner`, `report`; `rest` is the
plain HTTP they share, and `bare_app` the floor: a chat room with only the ASGI server under it.
"""
