"""Package data for screening: the names lists that ``names.py`` reads (see ``README.md``)."""
