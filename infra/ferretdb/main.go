// Command wfw-ferretdb runs FerretDB 1.24 as an embedded library.
//
// Upstream's cmd/ferretdb panics when built with `go install` because its
// build/version/version.txt is missing from the module (FerretDB issue #2982);
// embedding the library package from a main module of our own avoids that check.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", envOr("FERRETDB_LISTEN_ADDR", "127.0.0.1:27017"), "TCP address to listen on")
	handler := flag.String("handler", envOr("FERRETDB_HANDLER", "auto"), "backend: postgresql, sqlite, or auto (postgresql when the server answers, else sqlite)")
	sqliteDir := flag.String("sqlite-dir", envOr("FERRETDB_SQLITE_DIR", ".data/ferretdb"), "directory for the SQLite backend")
	pgURL := flag.String("postgresql-url", envOr("FERRETDB_POSTGRESQL_URL", "postgres://127.0.0.1:5432/ferretdb"), "PostgreSQL URL for the postgresql backend")
	synchronous := flag.String("sqlite-synchronous", envOr("FERRETDB_SQLITE_SYNCHRONOUS", "normal"), "SQLite synchronous pragma: full or normal")
	logLevel := flag.String("log-level", envOr("FERRETDB_LOG_LEVEL", "warn"), "debug, info, warn or error")
	backendFile := flag.String("backend-file", "", "write the backend actually chosen (postgresql or sqlite) to this file")
	analyzeEvery := flag.Duration("analyze-interval", durationEnv("FERRETDB_ANALYZE_INTERVAL", 15*time.Second), "postgresql backend: how often tables that changed are analyzed when the server's autovacuum is off (0: never)")
	pprofAddr := flag.String("pprof-addr", envOr("FERRETDB_PPROF_ADDR", ""), "serve Go's /debug/pprof on this address (profiling the store under a benchmark); off when empty")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("invalid log level %q: %v", *logLevel, err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   logger,
		Handler:  *handler,
	}

	if *pprofAddr != "" {
		go func() { fmt.Fprintf(os.Stderr, "wfw-ferretdb: pprof: %v\n", http.ListenAndServe(*pprofAddr, nil)) }()
	}

	chosen, err := chooseBackend(*handler, *pgURL)
	if err != nil {
		fail("%v", err)
	}
	cfg.Handler = chosen
	if *backendFile != "" {
		if err := os.WriteFile(*backendFile, []byte(chosen+"\n"), 0o644); err != nil {
			fail("write backend file: %v", err)
		}
	}

	switch chosen {
	case "sqlite":
		dir, err := filepath.Abs(*sqliteDir)
		if err != nil {
			fail("resolve sqlite dir: %v", err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fail("create sqlite dir: %v", err)
		}
		// FerretDB wants a file: URI naming a directory, with a trailing slash. It already runs
		// SQLite in WAL mode; synchronous=NORMAL drops the fsync per commit, which in WAL mode
		// stays safe against process crashes (only an OS crash can lose the last commits).
		cfg.SQLiteURL = "file:" + dir + "/?_pragma=synchronous(" + *synchronous + ")"
	case "postgresql":
		cfg.PostgreSQLURL = *pgURL
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		fail("start FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	if chosen == "postgresql" && *analyzeEvery > 0 {
		go keepStatisticsFresh(ctx, *pgURL, *analyzeEvery, logger)
	}

	fmt.Fprintf(os.Stderr, "wfw-ferretdb: %s backend, listening on %s\n", chosen, *listen)
	<-done
}

// chooseBackend settles "auto": PostgreSQL scales with work (equality filters pushed down, GIN
// indexes, concurrent writers), so it wins whenever its server answers; SQLite is the embedded
// fallback that needs nothing. An explicit "postgresql" that cannot be prepared is an error.
func chooseBackend(handler, pgURL string) (string, error) {
	switch handler {
	case "sqlite":
		return handler, nil
	case "postgresql", "auto":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := preparePostgreSQL(ctx, pgURL)
		if err == nil {
			return "postgresql", nil
		}
		if handler == "postgresql" {
			return "", fmt.Errorf("prepare PostgreSQL: %v", err)
		}
		fmt.Fprintf(os.Stderr, "wfw-ferretdb: PostgreSQL not usable (%v); falling back to the embedded SQLite backend\n", err)
		return "sqlite", nil
	default:
		return "", fmt.Errorf("unknown handler %q (want auto, postgresql or sqlite)", handler)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func durationEnv(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fail("%s: %q is not a duration (e.g. 15s)", key, v)
	}
	return def
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "wfw-ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
