"""The voice of the customer (issue 18): comments cleaned, keywords, sentiment, themes, questions and 舆情 alerts."""
