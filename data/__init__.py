"""The bundled actor registry and datasets, installed as package data (see controlmap.settings)."""
