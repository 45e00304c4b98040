"""The Time Release Study simulation: many voyages through the corridor's release rules, against a
baseline without pre-arrival processing. It draws on logistics (routes) and customs (the release
state machine), so it sits above both."""
