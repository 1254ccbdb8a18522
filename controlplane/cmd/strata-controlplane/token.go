package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

const tokenUsage = `Usage: strata-controlplane token COMMAND [flags]

Manages the bearer tokens of the control-plane API. Every token has a role:
admin may do everything; reader may only read (GET) and may not see tokens.

The command reaches the control plane through STRATA_ENDPOINT, STRATA_TOKEN
and STRATA_CA_CERT. STRATA_TOKEN must be an admin token, such as the one in
the state directory's admin.token.

Commands:
  token create [--role reader|admin] NAME   make a token and print its secret once
  token list                                list tokens: name, role, prefix, created
  token delete NAME                         revoke a token at once

Run "strata-controlplane token COMMAND -h" for a command's help.
`

const tokenCreateUsage = `Usage: strata-controlplane token create [--role reader|admin] NAME

Makes a token named NAME (lowercase letters, digits and hyphens) and prints
its secret on stdout, and nothing else. The secret is shown this once: the
control plane keeps only its hash. Save it where its user will find it:

  strata-controlplane token create --role reader dashboards > dashboards.token

and give that user STRATA_TOKEN=$(cat dashboards.token). A lost secret cannot
be shown again: delete the token and create it again.

Flags:
`

const tokenListUsage = `Usage: strata-controlplane token list

Prints every token: its name, role, the start of its secret (to tell tokens
apart; it cannot be used to sign in) and when it was made. Secrets are never
shown again.
`

const tokenDeleteUsage = `Usage: strata-controlplane token delete NAME

Revokes the token named NAME at once: the next request that sends it is
refused with 401. The admin token in the state directory cannot be revoked
this way.
`

// tokenIO is where a token command writes, and how it reaches the API.
type tokenIO struct {
	cfg         client.Config
	stdout      io.Writer
	stderr      io.Writer
	requestTime time.Duration
}

func token(args []string) int {
	tio := tokenIO{cfg: client.DefaultConfig(), stdout: os.Stdout, stderr: os.Stderr,
		requestTime: 30 * time.Second}
	return tio.run(args)
}

func (tio tokenIO) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(tio.stderr, tokenUsage)
		return 2
	}
	switch args[0] {
	case "create":
		return tio.create(args[1:])
	case "list":
		return tio.list(args[1:])
	case "delete":
		return tio.delete(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(tio.stdout, tokenUsage)
		return 0
	}
	fmt.Fprintf(tio.stderr, "strata-controlplane token: unknown command %q\n\n%s", args[0],
		tokenUsage)
	return 2
}

// flags returns a flag set for one token command that prints usage on -h.
func (tio tokenIO) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("token "+name, flag.ContinueOnError)
	fs.SetOutput(tio.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and checks that nargs arguments remain; it returns an
// exit code and false when the command should stop.
func parse(fs *flag.FlagSet, args []string, nargs int) (int, bool) {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0, false
	} else if err != nil {
		return 2, false
	}
	if fs.NArg() != nargs {
		fs.Usage()
		return 2, false
	}
	return 0, true
}

func (tio tokenIO) create(args []string) int {
	fs := tio.flags("create", tokenCreateUsage)
	role := fs.String("role", model.RoleReader, "the token's role: reader (GET only) or admin")
	if code, ok := parse(fs, args, 1); !ok {
		return code
	}
	spec := model.TokenSpec{Role: *role}
	if v := spec.Validate(); len(v) > 0 {
		fmt.Fprintf(tio.stderr, "strata-controlplane token create: --role: %s\n",
			v[0].Description)
		return 2
	}
	name := fs.Arg(0)
	secret, err := tio.createToken(name, spec)
	if err != nil {
		return tio.fail("create", err)
	}
	fmt.Fprintln(tio.stdout, secret)
	return 0
}

func (tio tokenIO) createToken(name string, spec model.TokenSpec) (string, error) {
	c, ctx, cancel, err := tio.client()
	if err != nil {
		return "", err
	}
	defer cancel()
	t, err := c.PutToken(ctx, name, spec, nil)
	if err != nil {
		return "", err
	}
	if t.Status.Secret == "" {
		return "", fmt.Errorf("token %s already exists and its secret was shown when it was "+
			"made; to get a new secret, delete it and create it again", name)
	}
	return t.Status.Secret, nil
}

func (tio tokenIO) list(args []string) int {
	fs := tio.flags("list", tokenListUsage)
	if code, ok := parse(fs, args, 0); !ok {
		return code
	}
	c, ctx, cancel, err := tio.client()
	if err != nil {
		return tio.fail("list", err)
	}
	defer cancel()
	tokens, err := c.ListTokens(ctx)
	if err != nil {
		return tio.fail("list", err)
	}
	tw := tabwriter.NewWriter(tio.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tPREFIX\tCREATED")
	for _, t := range tokens {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Metadata.Name, t.Spec.Role, t.Status.Prefix,
			t.Metadata.CreateTime.Format(time.RFC3339))
	}
	if err := tw.Flush(); err != nil {
		return tio.fail("list", err)
	}
	return 0
}

func (tio tokenIO) delete(args []string) int {
	fs := tio.flags("delete", tokenDeleteUsage)
	if code, ok := parse(fs, args, 1); !ok {
		return code
	}
	c, ctx, cancel, err := tio.client()
	if err != nil {
		return tio.fail("delete", err)
	}
	defer cancel()
	if err := c.DeleteToken(ctx, fs.Arg(0)); err != nil {
		return tio.fail("delete", err)
	}
	fmt.Fprintf(tio.stderr, "token %s revoked\n", fs.Arg(0))
	return 0
}

// client returns an API client and a context that bounds one command.
func (tio tokenIO) client() (*client.Client, context.Context, context.CancelFunc, error) {
	c, err := client.New(tio.cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), tio.requestTime)
	return c, ctx, cancel, nil
}

func (tio tokenIO) fail(cmd string, err error) int {
	fmt.Fprintf(tio.stderr, "strata-controlplane token %s: %v\n", cmd, err)
	return 1
}
