"""Notifications: what a page says (messages.py), the signed links in it (links.py) and the
page they open (link_pages.py), the channels it goes out by (channels.py), and its delivery,
each exactly once (delivery.py)."""
