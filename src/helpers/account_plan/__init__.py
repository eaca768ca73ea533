"""The account plan (notebooks/account_plan.ipynb): targets from history, budget by return.

Rooms: session (parameters and the data the plan reads), forecast (KPI forecasts and their
backtest), targets (ambition levels, probabilities, the annual → quarter → month cascade), budget
(response curves and the allocation), findings (sentences, tables, summary) and charts.
"""
