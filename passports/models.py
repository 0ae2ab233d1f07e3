"""Filled by the ${app} capability; the app exists so the layout and dependency direction are fixed."""
