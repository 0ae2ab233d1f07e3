#!/usr/bin/env bash
# PassBridge restore: check a backup of deploy/backup.sh against its SHA-256 manifest, then restore its
# database into an empty PostgreSQL database and its files into an empty directory.
# See docs/deployment.md, "Backups and restore".
#
#   deploy/restore.sh --verify /var/backups/passbridge/passbridge-20261206T221500Z
#   createdb -h db -U postgres -O passbridge passbridge_restored
#   deploy/restore.sh /var/backups/passbridge/passbridge-20261206T221500Z \
#       postgres://passbridge:...@db:5432/passbridge_restored /var/lib/passbridge/private-restored
set -euo pipefail

PROGRAM=$(basename "$0")

usage() {
  cat >&2 <<EOF
Usage: $PROGRAM BACKUP_DIR TARGET_DATABASE_URL TARGET_FILES_DIR
       $PROGRAM --verify BACKUP_DIR

Checks every file of BACKUP_DIR (made by deploy/backup.sh) against its SHA256SUMS manifest and that the
dump is readable, then
  - restores database.dump into TARGET_DATABASE_URL (postgres://...), which must exist and be empty
    (create it with: createdb -O <portal user> <name>); objects are owned by the URL's user;
  - unpacks files.tar.gz into TARGET_FILES_DIR, which must be missing or empty;
  - prints the row counts of a few tables and the number of files, to compare with the source.
With --verify it only checks the backup and restores nothing.

Nothing is overwritten: to restore over a live installation, stop the portal's services, drop and
recreate its database, move its file directory aside, then restore (docs/deployment.md).
EOF
  exit 2
}

die() {
  echo "$PROGRAM: $*" >&2
  exit 1
}

VERIFY_ONLY=0
if [[ ${1:-} == --verify ]]; then
  [[ $# -eq 2 ]] || usage
  VERIFY_ONLY=1
  BACKUP_DIR=$2
else
  [[ $# -eq 3 && $1 != -* ]] || usage
  BACKUP_DIR=$1
  TARGET_URL=$2
  TARGET_FILES=$3
fi

for tool in pg_restore psql tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (Debian: apt-get install postgresql-client coreutils tar)"
done

# --- 1. The backup is complete and unchanged --------------------------------------------------------
[[ -d $BACKUP_DIR ]] || die "$BACKUP_DIR is not a directory"
for name in SHA256SUMS database.dump files.tar.gz backup.info; do
  [[ -f $BACKUP_DIR/$name ]] || die "$BACKUP_DIR/$name is missing: not a complete backup of deploy/backup.sh"
  [[ $name == SHA256SUMS ]] || grep -q "  $name\$" "$BACKUP_DIR/SHA256SUMS" ||
    die "$name is not listed in $BACKUP_DIR/SHA256SUMS"
done
(cd "$BACKUP_DIR" && sha256sum --check --strict --quiet SHA256SUMS) ||
  die "$BACKUP_DIR does not match its SHA256SUMS manifest: the backup is damaged or was changed"
pg_restore --list "$BACKUP_DIR/database.dump" >/dev/null || die "$BACKUP_DIR/database.dump is not a readable dump"
tar --list --gzip --file="$BACKUP_DIR/files.tar.gz" >/dev/null || die "$BACKUP_DIR/files.tar.gz is not readable"
echo "$PROGRAM: $BACKUP_DIR matches its manifest:" >&2
sed 's/^/  /' "$BACKUP_DIR/backup.info" >&2
[[ $VERIFY_ONLY -eq 0 ]] || exit 0

# --- 2. The targets are empty -------------------------------------------------------------------------
# The password goes to libpq through PGPASSWORD, never onto a command line (see backup.sh).
pattern='^(postgres|postgresql)://([^:@/]*)(:([^@/]*))?@(.+)$'
if [[ $TARGET_URL =~ $pattern ]]; then
  DB_URL="${BASH_REMATCH[1]}://${BASH_REMATCH[2]}@${BASH_REMATCH[5]}"
  encoded=${BASH_REMATCH[4]}
  encoded=${encoded//\\/\\\\}
  password=$(printf '%b' "${encoded//%/\\x}")
  [[ -z $password ]] || export PGPASSWORD=$password
elif [[ $TARGET_URL =~ ^(postgres|postgresql):// ]]; then
  DB_URL=$TARGET_URL
else
  die "TARGET_DATABASE_URL must be a postgres:// URL"
fi

psql_value() {
  psql --dbname="$DB_URL" --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 --command="$1"
}
relations=$(psql_value "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')") ||
  die "cannot connect to the target database (create it first: createdb -O <portal user> <name>)"
[[ $relations -eq 0 ]] ||
  die "the target database is not empty ($relations tables, views or sequences in schema public); restore into a new one"

if [[ -e $TARGET_FILES ]]; then
  [[ -d $TARGET_FILES ]] || die "$TARGET_FILES exists and is not a directory"
  [[ -z $(ls -A "$TARGET_FILES") ]] || die "$TARGET_FILES is not empty; restore into a new directory"
fi

# --- 3. Restore -------------------------------------------------------------------------------------------
echo "$PROGRAM: restoring the database" >&2
pg_restore --dbname="$DB_URL" --no-owner --no-privileges --exit-on-error --single-transaction \
  "$BACKUP_DIR/database.dump"

echo "$PROGRAM: restoring the files into $TARGET_FILES" >&2
mkdir -p "$TARGET_FILES"
tar --extract --gzip --file="$BACKUP_DIR/files.tar.gz" --directory="$TARGET_FILES"

# --- 4. What came back --------------------------------------------------------------------------------------
expected_files=$(sed -n 's/^files=//p' "$BACKUP_DIR/backup.info")
restored_files=$(find "$TARGET_FILES" -type f | wc -l)
[[ -z $expected_files || $expected_files -eq $restored_files ]] ||
  die "restored $restored_files files, the backup recorded $expected_files"

echo "$PROGRAM: restored. Rows (compare with the source database):" >&2
for table in tenancy_organization accounts_user passports_passport certification_certificate audit_auditevent; do
  count=$(psql_value "SELECT count(*) FROM $table" 2>/dev/null) || count="(no such table)"
  printf '  %-28s %s\n' "$table" "$count" >&2
done
trigger=$(psql_value "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_auditevent_no_update_delete'")
printf '  %-28s %s\n' "files" "$restored_files" >&2
[[ $trigger -eq 1 ]] || die "the audit log's append-only trigger is missing from the restored database"
echo "  the audit log's append-only trigger is in place" >&2
cat >&2 <<EOF
Next: point DATABASE_URL at the restored database and PRIVATE_STORAGE_ROOT at $TARGET_FILES
(owned by the portal's user: chown -R passbridge: $TARGET_FILES), run manage.py migrate (brings an older
backup up to the installed code) and start the services.
EOF
