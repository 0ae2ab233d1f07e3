#!/usr/bin/env bash
# PassBridge backup: the PostgreSQL database (pg_dump, custom format) and the private file storage (tar),
# in one dated directory with a SHA-256 manifest. See docs/deployment.md, "Backups and restore".
#
#   set -a; . /etc/passbridge/env; set +a      # DATABASE_URL and PRIVATE_STORAGE_ROOT, as the portal has them
#   deploy/backup.sh /var/backups/passbridge   # prints the new directory, e.g. .../passbridge-20261206T221500Z
#
# The database is dumped first and the files archived second: every file a dumped row names was written
# before the row was committed, so it is in the archive. Files written after the dump are extra (the hourly
# sweep `passports.tasks.sweep_document_files` removes unreferenced uploads after a restore).
set -euo pipefail

PROGRAM=$(basename "$0")

usage() {
  cat >&2 <<EOF
Usage: $PROGRAM BACKUP_ROOT

Backs up the PassBridge database and private file storage into BACKUP_ROOT/passbridge-<UTC time>/:
  database.dump    pg_dump --format=custom of DATABASE_URL
  files.tar.gz     the contents of PRIVATE_STORAGE_ROOT
  backup.info      when, from where, with which pg_dump, how many files
  SHA256SUMS       SHA-256 of the three files above (check with: sha256sum --check SHA256SUMS)

Environment:
  DATABASE_URL           required, postgres://USER[:PASSWORD]@HOST[:PORT]/NAME[?sslmode=...]
  PRIVATE_STORAGE_ROOT   the uploaded files (default, as in portal/settings.py: <checkout>/var/private)

The directory is written as BACKUP_ROOT/.incomplete-<time> and renamed when complete, so a directory
named passbridge-* is always a finished backup. Restore with deploy/restore.sh.
EOF
  exit 2
}

die() {
  echo "$PROGRAM: $*" >&2
  exit 1
}

[[ $# -eq 1 && $1 != -* ]] || usage
BACKUP_ROOT=$1

for tool in pg_dump tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (Debian: apt-get install postgresql-client coreutils tar)"
done

[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set (e.g. set -a; . /etc/passbridge/env; set +a)"

# Split the password off the URL: it goes to libpq through PGPASSWORD (readable only by this user and
# root), never onto a command line that every local user can read in ps.
split_database_url() {
  local url=$1 pattern='^(postgres|postgresql)://([^:@/]*)(:([^@/]*))?@(.+)$'
  if [[ $url =~ $pattern ]]; then
    DB_URL_NO_PASSWORD="${BASH_REMATCH[1]}://${BASH_REMATCH[2]}@${BASH_REMATCH[5]}"
    local encoded=${BASH_REMATCH[4]}
    encoded=${encoded//\\/\\\\} # a literal backslash stays one
    DB_PASSWORD=$(printf '%b' "${encoded//%/\\x}") # percent-decoding
  elif [[ $url =~ ^(postgres|postgresql):// ]]; then
    DB_URL_NO_PASSWORD=$url
    DB_PASSWORD=
  else
    die "DATABASE_URL must be a postgres:// URL (the backup covers PostgreSQL only), got ${url%%://*}://..."
  fi
}
split_database_url "$DATABASE_URL"
[[ -z $DB_PASSWORD ]] || export PGPASSWORD=$DB_PASSWORD

CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
FILES_ROOT=${PRIVATE_STORAGE_ROOT:-$CHECKOUT/var/private}
if [[ -z ${PRIVATE_STORAGE_ROOT:-} ]]; then
  echo "$PROGRAM: PRIVATE_STORAGE_ROOT is not set; using the settings' default $FILES_ROOT" >&2
fi
[[ -d $FILES_ROOT ]] || die "the private file storage $FILES_ROOT does not exist (is PRIVATE_STORAGE_ROOT right?)"
[[ -r $FILES_ROOT ]] || die "cannot read $FILES_ROOT (run as the portal's user or root)"

mkdir -p "$BACKUP_ROOT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
FINAL="$BACKUP_ROOT/passbridge-$STAMP"
WORK="$BACKUP_ROOT/.incomplete-$STAMP"
[[ ! -e $FINAL && ! -e $WORK ]] || die "$FINAL already exists; wait a second and try again"

umask 077 # a backup holds every confidential fact of every tenant
mkdir "$WORK"
cleanup() {
  local status=$?
  if [[ $status -ne 0 && -d $WORK ]]; then
    rm -rf -- "$WORK"
    echo "$PROGRAM: failed; removed the incomplete $WORK" >&2
  fi
}
trap cleanup EXIT

echo "$PROGRAM: dumping the database" >&2
pg_dump --format=custom --file="$WORK/database.dump" --dbname="$DB_URL_NO_PASSWORD"

echo "$PROGRAM: archiving $FILES_ROOT" >&2
tar --create --gzip --numeric-owner --file="$WORK/files.tar.gz" --directory="$FILES_ROOT" .
FILE_COUNT=$(find "$FILES_ROOT" -type f | wc -l)

# The URL without its password, for the record.
{
  echo "created_utc=$STAMP"
  echo "database=${DB_URL_NO_PASSWORD%%\?*}"
  echo "pg_dump=$(pg_dump --version)"
  echo "files_root=$FILES_ROOT"
  echo "files=$FILE_COUNT"
  echo "host=$(hostname)"
} >"$WORK/backup.info"

(cd "$WORK" && sha256sum database.dump files.tar.gz backup.info >SHA256SUMS)
mv "$WORK" "$FINAL"
trap - EXIT
echo "$PROGRAM: done: $(du -sh "$FINAL" | cut -f1) in $FINAL ($FILE_COUNT files)" >&2
echo "$FINAL"
