"""What Ninefold writes from SLOs: Prometheus rules, promtool tests, Grafana dashboards, and
the files they go into."""
