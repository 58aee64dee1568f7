// Command tome reads, converts and streams Arrow and Parquet datasets.
//
// Every command accepts any path dataset.Open accepts: a data file (Arrow,
// Parquet, JSON Lines, CSV), a glob, a directory of shards, or a Hugging
// Face save_to_disk, DatasetDict, builder-cache or Hub-style directory.
//
// Exit codes: 0 success, 1 failure, 2 bad usage, 3 not found, 4 bad or
// unsupported data, 130 interrupted (Ctrl-C). Errors are one line on
// stderr; an interrupted command leaves no partial output behind.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitNotFound    = 3
	exitBadData     = 4
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit code. Tests call it
// in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCommand(env)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(ctx, err)
	if code != exitInterrupted {
		fmt.Fprintf(stderr, "tome: %s\n", oneLine(err))
	} else {
		fmt.Fprintln(stderr, "tome: interrupted")
	}
	return code
}

// env is what commands write to; tests substitute buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError marks a bad command line.
type usageError struct{ error }

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "tome",
		Short:         "tome reads, converts and streams Arrow and Parquet datasets",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newInfoCommand(e),
		newHeadCommand(e),
		newCatCommand(e),
		newConvertCommand(e),
		newMergeCommand(e),
		newVerifyCommand(e),
		newServeCommand(e),
	)
	return root
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func exitCode(ctx context.Context, err error) int {
	var ue usageError
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "unknown flag"):
		return exitUsage
	case errors.Is(err, dataset.ErrNotFound) || errors.Is(err, shard.ErrNotFound) ||
		errors.Is(err, os.ErrNotExist) || errors.Is(err, dataset.ErrSplit):
		return exitNotFound
	case errors.Is(err, format.ErrCorrupt) || errors.Is(err, format.ErrUnsupported) ||
		errors.Is(err, format.ErrNotData) || errors.Is(err, format.ErrEncrypted) ||
		errors.Is(err, format.ErrUnknownFormat) || errors.Is(err, format.ErrSchema) ||
		errors.Is(err, dataset.ErrLayout) || errors.Is(err, dataset.ErrSchemaMismatch):
		return exitBadData
	}
	return exitFailure
}

// oneLine flattens an error for the one-line message.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
