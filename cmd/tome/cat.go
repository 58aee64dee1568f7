package main

import (
	"context"

	"github.com/spf13/cobra"
)

type catOptions struct {
	sourceFlags
	limit int64
}

func newCatCommand(e *env) *cobra.Command {
	var o catOptions
	cmd := &cobra.Command{
		Use:   "cat PATH...",
		Short: "print every row as JSON Lines, streaming",
		Long: "cat streams every row of a dataset as JSON Lines in tome's canonical JSON, " +
			"in bounded memory whatever the dataset's size.",
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCat(cmd.Context(), e, o, args)
		},
	}
	o.register(cmd)
	cmd.Flags().Int64Var(&o.limit, "limit", -1, "stop after this many rows (default: all)")
	return cmd
}

func runCat(ctx context.Context, e *env, o catOptions, paths []string) error {
	return printRows(ctx, e, o.sourceFlags, paths, o.limit, true)
}
