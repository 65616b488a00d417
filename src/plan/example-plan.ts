/**
 * The commented plan `ferry init` writes: every part of the format with what it does, and values
 * that load as they are (with PG_PASSWORD set), so a user edits a working plan rather than a sketch.
 */

/** The environment variable the example's target password comes from. */
export const EXAMPLE_PASSWORD_VARIABLE = 'PG_PASSWORD';

/** The example plan's YAML text. */
export const EXAMPLE_PLAN = `# A Ferry plan: which database to copy where, and how.
#   ferry plan ferry.yaml    checks it and shows what would happen (writes nothing)
#   ferry run ferry.yaml     copies it, resumably
# \${NAME} takes a value from the environment ($\${ writes a literal \${).
# Paths in this file (passwordFile, state) are relative to this file.

# Names the run and its state file (.ferry/<name>.db). Default: this file's name.
name: shop-migration

# Where to read: postgres://, mysql://, mariadb:// or sqlite:path/to/file.db.
source: mysql://root@127.0.0.1:3306/shop

# Where to write. Keep the password out of the URL: take it from the environment, or from a file
# (passwordFile: ./secrets/pg.txt, the password on its first line). It never appears in a log,
# report or error.
target:
  url: postgres://ferry@127.0.0.1:5432/shop
  password: \${${EXAMPLE_PASSWORD_VARIABLE}}

# snapshot: every row as of one consistent point in time. sync: the same, then the source's
# changes streamed until ferry cutover (no where: filters then; see docs/sync.md).
mode: snapshot

# Which tables, in order: includes pick tables (* and ? match any text / one character),
# excludes remove them. Leave the list out to copy every table.
tables:
  - include: "order*"
  - include: customers
    rename: clients               # its name on the target (only for an include of one table)
    where: "country = 'DE'"       # only these rows; SQL in the source's dialect
    columns:
      exclude: [notes]            # or include: [id, name, email]
      rename: { email: mail }     # source column: target column
  - exclude: "tmp_*"

# How the copy runs. Each key matches a ferry copy flag; left out = the default.
options:
  parallel: 4                     # chunks copied at once (default: one per core, 2 to 8)
  chunkRows: 100000               # a chunk is a key range of at most this many rows
  chunkBytes: 64M                 # and of about this many bytes
  memory: 256M                    # budget for rows in flight
  ifExists: fail                  # an existing target table: fail (if it holds rows) | drop | truncate | append
  retries: 3                      # attempts again for a chunk that failed for a passing reason
  # maxRowsPerSecond: 5000        # fixed rate limits over the whole run
  # maxBytesPerSecond: 20M
  # maxLoad: "threads-running=50" # pause while the source is busier than this
  # coerce: ["zero-date=null"]    # let values the target cannot hold through (see docs/types.md)

# After the copy, compare both sides chunk by chunk, checksummed inside each database.
verify: true

# Where the run keeps its progress. Default: .ferry/<name>.db in the working directory.
# state: .ferry/shop-migration.db
`;
