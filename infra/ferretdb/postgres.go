package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// preparePostgreSQL makes the PostgreSQL database FerretDB stores into ready: it is created when
// missing (setup on a fresh machine needs no psql), and the GIN trigger below is installed.
func preparePostgreSQL(ctx context.Context, rawURL string) error {
	conn, err := pgx.Connect(ctx, rawURL)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name: no such database
		if err := createDatabase(ctx, rawURL); err != nil {
			return err
		}
		conn, err = pgx.Connect(ctx, rawURL)
	}
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, ginTriggerSQL)
	return err
}

func createDatabase(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return fmt.Errorf("connect to the maintenance database to create %q: %w", name, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: a concurrent start won
		return nil
	}
	return err
}

// ginTriggerSQL makes FerretDB's indexes usable. FerretDB 1.24 pushes equality filters down as
// `(_jsonb -> 'field') @> '"value"'` (dotted fields: `_jsonb #> '{a,b}'`), but the indexes it
// creates are btree on the same expression, which `@>` cannot use: every lookup, `_id` included,
// is a sequential scan. An event trigger adds a GIN (jsonb_path_ops) index beside every btree
// expression index FerretDB creates, the moment it creates it; the same function backfills the
// indexes that already exist. FerretDB does not know these indexes; dropping a collection drops
// them with its table.
const ginTriggerSQL = `
CREATE OR REPLACE FUNCTION public.wfw_ferretdb_gin_for(idx oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  info record;
  col int;
  expr text;
  keys text[];
  target text;
BEGIN
  SELECT x.indnatts, am.amname, ns.nspname, t.relname,
         x.indexprs IS NOT NULL AS has_exprs,
         EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = '_jsonb') AS is_ferretdb
    INTO info
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_am am ON am.oid = i.relam
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace ns ON ns.oid = t.relnamespace
   WHERE x.indexrelid = idx;
  IF NOT FOUND OR info.amname <> 'btree' OR NOT info.has_exprs OR NOT info.is_ferretdb THEN
    RETURN;
  END IF;
  FOR col IN 1..info.indnatts LOOP
    expr := pg_get_indexdef(idx, col, false);
    IF expr NOT LIKE '%_jsonb -> %' THEN CONTINUE; END IF;
    SELECT array_agg(replace(m[1], '''''', '''') ORDER BY ord) INTO keys
      FROM regexp_matches(expr, '''((?:[^'']|'''')*)''::text', 'g') WITH ORDINALITY AS r(m, ord);
    IF keys IS NULL THEN CONTINUE; END IF;
    IF array_length(keys, 1) = 1 THEN
      target := format('(_jsonb -> %L::text)', keys[1]);
    ELSE
      target := format('(_jsonb #> %L::text[])', keys::text);
    END IF;
    -- fastupdate off: each indexed value is one scalar, so an insert adds one entry, while a
    -- pending list (the default) would make every lookup scan it until a vacuum merges it.
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s jsonb_path_ops) WITH (fastupdate = off)',
      'wfw_gin_' || left(md5(info.relname || target), 20), info.nspname, info.relname, target);
    EXECUTE format('ALTER INDEX %I.%I SET (fastupdate = off)', info.nspname, 'wfw_gin_' || left(md5(info.relname || target), 20));
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION public.wfw_ferretdb_gin_trigger() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM public.wfw_ferretdb_gin_for(cmd.objid);
  END LOOP;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'wfw_ferretdb_gin') THEN
    CREATE EVENT TRIGGER wfw_ferretdb_gin ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION public.wfw_ferretdb_gin_trigger();
  END IF;
END
$do$;

SELECT public.wfw_ferretdb_gin_for(x.indexrelid)
  FROM pg_index x
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace ns ON ns.oid = t.relnamespace
 WHERE ns.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
   AND x.indexprs IS NOT NULL;
`

// keepStatisticsFresh is our autoanalyze for a PostgreSQL server whose autovacuum is off (as on
// these machines): tables FerretDB fills are otherwise never analyzed, and without statistics the
// planner prices a GIN lookup by `_id` the same as a sequential scan of the table (measured:
// 2182.08 against 2182.00 on 12,000 operations), so primary-key reads flip to full scans as
// tables grow, and cost follows stored data. Each pass analyzes the tables changed by more than
// autovacuum's own default threshold (50 rows + 10 %), so its cost follows writes, not size.
// When autovacuum is on, the server does this itself and a pass does nothing.
func keepStatisticsFresh(ctx context.Context, rawURL string, every time.Duration, logger *slog.Logger) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	pass := func() {
		if conn == nil || conn.IsClosed() {
			c, err := pgx.Connect(ctx, rawURL)
			if err != nil {
				logger.Warn("statistics: cannot connect to PostgreSQL; next pass retries", "error", err)
				return
			}
			conn = c
		}
		var autovacuum string
		if err := conn.QueryRow(ctx, "SELECT current_setting('autovacuum')").Scan(&autovacuum); err != nil {
			logger.Warn("statistics: cannot read autovacuum setting", "error", err)
			conn.Close(ctx)
			return
		}
		if autovacuum == "on" {
			return
		}
		rows, err := conn.Query(ctx, `
SELECT format('%I.%I', s.schemaname, s.relname)
  FROM pg_stat_user_tables s
 WHERE s.schemaname NOT IN ('public', 'pg_catalog', 'information_schema')
   AND s.n_mod_since_analyze > 50 + 0.1 * s.n_live_tup
   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = s.relid AND a.attname = '_jsonb')`)
		if err != nil {
			logger.Warn("statistics: cannot list changed tables", "error", err)
			conn.Close(ctx)
			return
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			logger.Warn("statistics: cannot list changed tables", "error", err)
			return
		}
		for _, table := range tables {
			// A table dropped meanwhile (a test database going) is not an error worth more than a line.
			if _, err := conn.Exec(ctx, "ANALYZE "+table); err != nil && ctx.Err() == nil {
				logger.Debug("statistics: analyze failed", "table", table, "error", err)
			}
		}
	}
	pass()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			pass()
		}
	}
}
