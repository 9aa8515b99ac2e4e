"""Widgets of the Tổng hợp page: the frozen-column table, the drill-down dialog, the tabs and the bar charts."""
