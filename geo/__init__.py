"""The bundled geo packs, installed as package data (see controlmap.settings)."""
