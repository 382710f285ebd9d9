"""What each of the operators' pages shows, read from the store: plain values, no web framework.

The Airflow plugin (:mod:`trident_pipeline.web`) renders them; the actions on those pages call
the same services as the ``trident`` commands (:mod:`trident_pipeline.account_links`,
:func:`trident_pipeline.response_times.mark_item`, :class:`trident_pipeline.blocking.Approvals`,
:meth:`trident_pipeline.enforcement.Enforcement.overrule_strike`,
:mod:`trident_pipeline.crm.outbox`).
"""
