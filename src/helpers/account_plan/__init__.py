"""Account plan (issue 19): forecasts, targets, budget and the plan notebook's rooms."""
