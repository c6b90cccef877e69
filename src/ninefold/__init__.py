"""Ninefold: a self-hosted reliability platform."""

__version__ = "0.1.0"
