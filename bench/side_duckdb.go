package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// The DuckDB sides. DuckDB runs in process, in memory, with its thread
// count set to the comparison's; its time covers the query alone (the
// engine starts in a few milliseconds before the clock starts).
//
// A scan in DuckDB is only as complete as the query that consumes it: a
// count(*) would read no column at all. The full scan therefore aggregates
// every column in a way that needs every value decoded: sum(id),
// sum(label), the byte length of every text (strlen, which reads the
// decoded string's length as tome's side reads Arrow offsets), and the sum
// of every embedding value through list_sum. The check compares these with
// what tome's side computed from the same file.
func init() {
	register("duckdb-scan", func(ctx context.Context, e *env) (run, error) {
		return duckQuery(ctx, e, `SELECT count(*), sum(id)::BIGINT, sum(label)::DOUBLE, sum(strlen(text))::BIGINT,
			sum(list_sum(embedding))::DOUBLE, sum(len(embedding))::BIGINT FROM read_parquet('%s')`,
			func(rows *sql.Row, c *check) error {
				return rows.Scan(&c.Rows, &c.IDSum, &c.LabelSum, &c.TextBytes, &c.EmbSum, &c.EmbValues)
			})
	})
	register("duckdb-scan-text", func(ctx context.Context, e *env) (run, error) {
		return duckQuery(ctx, e, `SELECT count(*), sum(strlen(text))::BIGINT FROM read_parquet('%s')`,
			func(rows *sql.Row, c *check) error { return rows.Scan(&c.Rows, &c.TextBytes) })
	})
	register("duckdb-copy", duckCopy)
}

// openDuck starts an in-memory DuckDB with the given thread count.
func openDuck(ctx context.Context, threads int) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one connection, so that SET applies to every query
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return strings.ReplaceAll(s, "'", "''") }

func duckQuery(ctx context.Context, e *env, query string, scan func(*sql.Row, *check) error) (run, error) {
	path, err := e.set.Path(ctx, e.file)
	if err != nil {
		return run{}, err
	}
	db, err := openDuck(ctx, e.threads)
	if err != nil {
		return run{}, err
	}
	defer db.Close()
	return timed(func(c *check) (string, error) {
		if err := scan(db.QueryRowContext(ctx, fmt.Sprintf(query, sqlString(path))), c); err != nil {
			return "", fmt.Errorf("duckdb: %w", err)
		}
		return "", nil
	})
}
