"""The outside world behind small interfaces: each adapter talks to one external system."""
