"""The period review (复盘): KPIs against targets, alerts, content, funnel, attribution, ads, risks, actions.

Rooms: ``session.prepare`` (parameters → checked values, tables, period); compute modules ``kpis``,
``anomalies``, ``posts``, ``funnel``, ``attribution``, ``ads``, ``risks``; ``findings`` (So-what lines,
recommendations, the summary.json dict); ``charts`` (figures, the trend explorer); ``outputs`` (a
section's tables and figures into the run folder, the displays back in order).
"""
