"""The release gate: error budget policies (a configuration section) and the decision they
give for a release of a service, from its SLOs' status."""
