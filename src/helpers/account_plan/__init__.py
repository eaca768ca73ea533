"""Account plan: targets from history and budget by return (issue 19)."""
