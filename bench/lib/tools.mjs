/**
 * The pairs and the tools timed for each: the peers named in the full-load issue, Ferry, and the
 * raw limit of the pair (the servers' own bulk paths with no tool in between, then the same
 * indexes). Each tool is a bash script run under `/usr/bin/time -v` against an empty target.
 */
import { createIndexes, createTables, postgresPrimaryKey, TABLES } from './dataset.mjs';
import { MARIADB, PSQL, url } from './shell.mjs';

const SRC = 'ferry_bench_src';
const DST = 'ferry_bench_dst';

/** Source and target of each pair. */
export const PAIRS = {
  'mariadb-mariadb': {
    source: { engine: 'mariadb', database: SRC },
    target: { engine: 'mariadb', database: DST },
  },
  'mariadb-postgres': {
    source: { engine: 'mariadb', database: SRC },
    target: { engine: 'postgres', database: DST },
  },
  'postgres-postgres': {
    source: { engine: 'postgres', database: SRC },
    target: { engine: 'postgres', database: DST },
  },
};

const sh = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const tables = Object.keys(TABLES);

/** SELECT list that reads a MariaDB table exactly (FLOAT as its exact double, blobs as needed). */
function mariadbSelect(table, blobAsPgHex) {
  const columns = {
    customers: [
      'id',
      'email',
      'name',
      'country',
      'balance',
      'CAST(score AS DOUBLE)',
      'created_at',
      'profile',
      'bio',
    ],
    orders: [
      'id',
      'customer_id',
      'status',
      'total',
      'CAST(weight AS DOUBLE)',
      'placed_at',
      'shipped_at',
      'note',
      'items',
    ],
    events: [
      'id',
      'order_id',
      'kind',
      'CAST(ratio AS DOUBLE)',
      blobAsPgHex ? "CONCAT('\\\\x', HEX(payload))" : 'payload',
      'body',
      'at',
    ],
  }[table];
  return `SELECT ${columns.join(', ')} FROM ${SRC}.\`${table}\``;
}

function ferry(pair) {
  const { source, target } = PAIRS[pair];
  return {
    name: 'ferry',
    label: 'Ferry (`ferry copy`, default settings)',
    script: `node bin/ferry.js copy ${url(source.engine, source.database)} ${url(target.engine, target.database)} --no-verify --quiet`,
  };
}

/** Ferry into a MariaDB target whose sessions write no binlog (`?binlog=off`), as myloader does by default. */
function ferryNoBinlog(pair) {
  const { source, target } = PAIRS[pair];
  return {
    name: 'ferry-binlog-off',
    label: 'Ferry (`ferry copy`, target URL `?binlog=off`, as myloader runs by default)',
    script: `node bin/ferry.js copy ${url(source.engine, source.database)} '${url(target.engine, target.database)}?binlog=off' --no-verify --quiet`,
  };
}

/** Raw limit MariaDB → MariaDB: per table in parallel, INTO OUTFILE, LOAD DATA INFILE, indexes. */
function rawMariadb(work) {
  const ddl = createTables('mariadb').join(';\n');
  const perTable = tables.map((t) => {
    const file = `${work}/outfile/${t}.tsv`;
    const sql = `${mariadbSelect(t, false)} INTO OUTFILE '${file}'; LOAD DATA INFILE '${file}' INTO TABLE ${DST}.\`${t}\`; ${createIndexes(
      'mariadb',
      t,
    )
      .map((s) => s.replace('ALTER TABLE ', `ALTER TABLE ${DST}.`))
      .join('; ')};`;
    return `( ${MARIADB} -e ${sh(sql)} ) &`;
  });
  return {
    name: 'raw',
    label: 'raw limit: per-table `SELECT … INTO OUTFILE` + `LOAD DATA INFILE` in parallel, then indexes',
    prepare: `rm -rf ${work}/outfile && mkdir -p ${work}/outfile && chmod 777 ${work}/outfile && ${MARIADB} ${DST} -e ${sh(ddl)}`,
    script: `set -e\n${perTable.join('\n')}\nfor job in $(jobs -p); do wait $job; done\nrm -rf ${work}/outfile/*`,
  };
}

/** Raw limit MariaDB → PostgreSQL: `mariadb --batch` piped into COPY, per table in parallel. */
function rawMariadbPostgres() {
  const ddl = createTables('postgres').join(';\n');
  const perTable = tables.map((t) => {
    const post = [postgresPrimaryKey(t), ...createIndexes('postgres', t)].join('; ');
    return `( ${MARIADB} --batch --quick -N -e ${sh(mariadbSelect(t, true))} | ${PSQL} -d ${DST} -c ${sh(`COPY "${t}" FROM STDIN (FORMAT text, NULL 'NULL')`)} && ${PSQL} -d ${DST} -c ${sh(post)} ) &`;
  });
  return {
    name: 'raw',
    label: 'raw limit: `mariadb --batch` | `COPY … FROM STDIN` per table in parallel, then keys and indexes',
    prepare: `${PSQL} -d ${DST} -c ${sh(ddl)}`,
    script: `set -e\n${perTable.join('\n')}\nfor job in $(jobs -p); do wait $job; done`,
  };
}

/** Raw limit PostgreSQL → PostgreSQL: COPY (FORMAT binary) between two psql, per table in parallel. */
function rawPostgres() {
  const ddl = createTables('postgres').join(';\n');
  const perTable = tables.map((t) => {
    const post = [postgresPrimaryKey(t), ...createIndexes('postgres', t)].join('; ');
    return `( ${PSQL} -d ${SRC} -c ${sh(`COPY "${t}" TO STDOUT (FORMAT binary)`)} | ${PSQL} -d ${DST} -c ${sh(`COPY "${t}" FROM STDIN (FORMAT binary)`)} && ${PSQL} -d ${DST} -c ${sh(post)} ) &`;
  });
  return {
    name: 'raw',
    label:
      'raw limit: `COPY … TO STDOUT (FORMAT binary)` | `COPY … FROM STDIN (FORMAT binary)` per table in parallel, then keys and indexes',
    prepare: `${PSQL} -d ${DST} -c ${sh(ddl)}`,
    script: `set -e\n${perTable.join('\n')}\nfor job in $(jobs -p); do wait $job; done`,
  };
}

/** pgloader with a load file holding a WITH clause. */
function pgloaderWith(work, name, options) {
  return {
    name,
    label: `\`pgloader\` with \`${options}\``,
    prepare: `cat > ${work}/${name}.load <<'EOF'\nLOAD DATABASE FROM ${url('mariadb', SRC)} INTO ${url('postgres', DST)}\nWITH ${options};\nEOF`,
    script: `pgloader ${work}/${name}.load`,
  };
}

/** Every tool of every pair; `work` is a scratch directory for dumps. */
export function toolsFor(pair, work) {
  const my = (db) => `-h 127.0.0.1 -P 3306 -u root ${db}`;
  const pg = (db) => `-h 127.0.0.1 -p 5432 -U postgres -d ${db}`;
  switch (pair) {
    case 'mariadb-mariadb':
      return [
        {
          name: 'mysqldump',
          label: '`mysqldump --single-transaction --quick | mariadb`',
          script: `mysqldump --single-transaction --quick ${my(SRC)} | mariadb ${my(DST)}`,
        },
        ...[2, 4].map((threads) => ({
          name: `mydumper-t${threads}`,
          label: `\`mydumper -t ${threads} -r 100000\` then \`myloader -t ${threads}\` (myloader writes no binlog by default)`,
          prepare: `rm -rf ${work}/mydumper`,
          script: `mydumper -h 127.0.0.1 -P 3306 -u root -B ${SRC} -t ${threads} -r 100000 -o ${work}/mydumper && myloader -h 127.0.0.1 -P 3306 -u root -B ${DST} -t ${threads} -d ${work}/mydumper && rm -rf ${work}/mydumper`,
        })),
        ferry(pair),
        ferryNoBinlog(pair),
        rawMariadb(work),
      ];
    case 'mariadb-postgres':
      return [
        {
          name: 'pgloader',
          label: '`pgloader` (defaults)',
          script: `pgloader --no-ssl-cert-verification ${url('mariadb', SRC)} ${url('postgres', DST)}`,
        },
        {
          name: 'pgloader-tuned',
          label:
            '`pgloader` with `workers = 4, concurrency = 2, multiple readers per thread, rows per range = 50000`',
          prepare: `cat > ${work}/pgloader.load <<'EOF'\nLOAD DATABASE FROM ${url('mariadb', SRC)} INTO ${url('postgres', DST)}\nWITH workers = 4, concurrency = 2, multiple readers per thread, rows per range = 50000;\nEOF`,
          script: `pgloader ${work}/pgloader.load`,
        },
        // pgloader's defaults exhaust its SBCL heap on this dataset's wide rows (see BENCHMARKS.md); these
        // variants keep fewer rows in flight.
        pgloaderWith(work, 'pgloader-small-batches', 'prefetch rows = 10000, batch rows = 5000'),
        pgloaderWith(
          work,
          'pgloader-tuned-small-batches',
          'workers = 4, concurrency = 2, prefetch rows = 10000, batch rows = 5000',
        ),
        ferry(pair),
        rawMariadbPostgres(),
      ];
    case 'postgres-postgres':
      return [
        {
          name: 'pg_dump',
          label: '`pg_dump | psql`',
          script: `pg_dump ${pg(SRC)} | psql -X -q ${pg(DST)} > /dev/null`,
        },
        {
          name: 'pg_dump-Fd-j2',
          label: '`pg_dump -Fd -j2` then `pg_restore -j2`',
          prepare: `rm -rf ${work}/pgdump`,
          script: `pg_dump -Fd -j2 -f ${work}/pgdump ${pg(SRC)} && pg_restore -j2 ${pg(DST)} ${work}/pgdump && rm -rf ${work}/pgdump`,
        },
        {
          name: 'pgcopydb',
          label: '`pgcopydb clone` (defaults: 4 table jobs, 4 index jobs)',
          prepare: `rm -rf ${work}/pgcopydb`,
          script: `pgcopydb clone --source ${url('postgres', SRC)} --target ${url('postgres', DST)} --dir ${work}/pgcopydb && rm -rf ${work}/pgcopydb`,
        },
        ferry(pair),
        rawPostgres(),
      ];
    default:
      throw new Error(`unknown pair ${pair}`);
  }
}
