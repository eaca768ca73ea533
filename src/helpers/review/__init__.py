"""The period review (复盘): KPIs against targets, alerts, content, funnel, attribution, ads, risks, actions."""
