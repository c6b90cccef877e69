"""Silences and maintenance windows: the matchers they are written in, what holds a group's
paging back (pure, holds.py), their rows and use cases (service.py), and their API and page."""
