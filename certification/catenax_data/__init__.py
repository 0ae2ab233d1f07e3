"""Where the shipped Catena-X schema and example files of certificates are (see README.md and SOURCE.txt)."""

from pathlib import Path

CATENAX_DATA_DIR = Path(__file__).resolve().parent
