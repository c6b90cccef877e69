"""What `ninefold demo` adds to the example configuration so a newcomer has something to click
through: alerts that page (`alerts`) and 90 days of changes (`changes`)."""
