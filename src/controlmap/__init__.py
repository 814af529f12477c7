"""controlmap: an offline-first map of territorial control over time, built from cited claims."""

__version__ = "0.1.0"
