"""Trident Group's social inbox pipeline.

Layers (see ``DESIGN.md``): ``domain`` is pure Python; ``sources``, ``store`` and ``crm`` are
the boundaries to the outside world; ``orchestration`` is the only package that imports Airflow.
"""
