"""Where the shipped Catena-X / IDTA schema and example files are (see README.md and SOURCE.txt)."""

from pathlib import Path

CATENAX_DATA_DIR = Path(__file__).resolve().parent
