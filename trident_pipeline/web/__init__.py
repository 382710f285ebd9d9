"""The operators' pages: a FastAPI app that Airflow serves inside its web UI.

The app knows no Airflow: who is asking, and what they may do, comes from an
:class:`~trident_pipeline.web.access.Access` given to :func:`create_app` (Airflow's auth
manager, wired in :mod:`trident_pipeline.orchestration.ui_access` and ``plugins/``). Every page
reads through :mod:`trident_pipeline.pages`; every action calls the same service as the
``trident`` commands.
"""

from trident_pipeline.web.app import create_app

__all__ = ["create_app"]
