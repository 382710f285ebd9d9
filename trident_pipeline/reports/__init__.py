"""Review reports of response times: a period's figures as HTML with charts, and as CSV."""

from trident_pipeline.reports.render import (
    OPEN_ITEMS_SHOWN,
    Period,
    Report,
    build_report,
    render_csv,
    render_html,
    render_sections,
    report_context,
    write_report,
)

__all__ = [
    "OPEN_ITEMS_SHOWN",
    "Period",
    "Report",
    "build_report",
    "render_csv",
    "render_html",
    "render_sections",
    "report_context",
    "write_report",
]
