"""What `ninefold demo` adds to the example configuration so a newcomer has something to click
through: alerts that page (`alerts`), 90 days of paging history (`pages`), 90 days of changes
(`changes`) and the incidents that go with them, with postmortems and action items
(`incidents`); `seed` adds them in that order."""
