"""Airflow hooks in the provider style, one per external system (``x``, ``facebook``,
``bluesky``, ``crm``). Each turns its own Connection type into that system's client library,
masks every secret it reads, offers ``test_connection()``, and hands out what the tasks use (a
platform's source and moderator for the organisation's account). Secrets come only from
Airflow Connections (from whichever secrets backend holds them), never from config files or
variables of our own.
"""
