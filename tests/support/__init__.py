"""Local stand-ins for the outside world (an SMTP server, an HTTP receiver), shared by tests.

Their fixtures live in `tests.support.fixtures`, registered for every test in `tests/conftest.py`.
"""
