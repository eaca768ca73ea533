"""Voice of the customer: session, compute modules (clean, text, themes, questions, alerts), findings, charts."""
