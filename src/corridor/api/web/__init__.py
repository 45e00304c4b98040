"""The node's web pages for people: login, the dashboard, and a page for each role (trader,
officer, carrier, analyst), server-rendered with Jinja2; forms call the same commands and queries
as the API."""
