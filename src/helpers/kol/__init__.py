"""KOL vetting (达人筛选): who is worth paying before a campaign, and whether to rebook after it.

Modules: session (parameters → checked inputs), authenticity (fake-follower share), engagement (real
interaction rate), fit (audience fit with the brand), cost (expected CPE/CPA against feed ads), after
(a booked campaign's delivery, credit and ROI), shortlist (decisions and their reasons), findings,
charts (and the explorer).
"""
