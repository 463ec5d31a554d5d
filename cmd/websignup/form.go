package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"websignup/admin"
	"websignup/forms"
	"websignup/storage"
)

const formUsage = `usage:
  websignup form export SLUG [flags]                 write the published version's JSON to stdout
  websignup form import SLUG FILE [--publish] [flags] make FILE the form's draft (and publish it)

import checks the whole file first: when anything is wrong it prints every
problem, changes nothing and exits non-zero. FILE "-" reads standard input.
`

// formCommand runs "websignup form export|import ...", so that operators
// can keep their forms in git.
func formCommand(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		fmt.Fprint(stderr, formUsage)
		if len(args) == 0 {
			return errors.New("form: missing subcommand (export or import)")
		}
		return fmt.Errorf("form: unknown subcommand %q (want export or import)", args[0])
	}
	sub := args[0]
	fs := flag.NewFlagSet("websignup form "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, formUsage); fs.PrintDefaults() }
	publish := fs.Bool("publish", false, "import: publish the imported version at once")
	dbURL := fs.String("database-url", "", "postgres:// URL or SQLite file (WEBSIGNUP_DATABASE_URL)")
	dataDir := fs.String("data-dir", "", "data folder (WEBSIGNUP_DATA_DIR)")
	// Flags may come before or after the positional arguments.
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	want := 1
	if sub == "import" {
		want = 2
	}
	if len(pos) != want {
		fmt.Fprint(stderr, formUsage)
		return fmt.Errorf("form %s: want %d argument(s), got %d", sub, want, len(pos))
	}
	if sub == "export" && *publish {
		return errors.New("form export: --publish applies to import only")
	}
	var cfgArgs []string
	if *dbURL != "" {
		cfgArgs = append(cfgArgs, "--database-url", *dbURL)
	}
	if *dataDir != "" {
		cfgArgs = append(cfgArgs, "--data-dir", *dataDir)
	}
	cfg, err := LoadConfig("form", cfgArgs, env, stderr)
	if err != nil {
		return err
	}

	// Read and check the file before touching the database.
	var imported forms.Config
	if sub == "import" {
		data, err := readConfigFile(pos[1], stdin)
		if err != nil {
			return err
		}
		imported, err = forms.DecodeConfig(data)
		if err != nil {
			return importProblems(pos[1], err, stderr)
		}
	}

	store, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer store.Close()
	slug := pos[0]
	f, err := store.FormBySlug(ctx, slug)
	if forms.ErrorCode(err) == forms.ENotFound {
		return fmt.Errorf("form %s: there is no form %q", sub, slug)
	} else if err != nil {
		return err
	}

	if sub == "export" {
		_, published, err := store.DraftAndPublished(ctx, f.ID)
		if err != nil {
			return err
		}
		if published == nil {
			return fmt.Errorf("form export: %q has no published version", slug)
		}
		b, err := admin.EncodeConfig(published.Config)
		if err != nil {
			return err
		}
		_, err = stdout.Write(b)
		return err
	}

	v, err := store.ImportConfig(ctx, f.ID, imported, "cli", *publish)
	if err != nil {
		return importProblems(pos[1], err, stderr)
	}
	action := "form.import"
	if *publish {
		action = "form.import_publish"
	}
	if err := store.RecordAudit(ctx, storage.AuditEntry{
		ActorEmail: "cli", TenantID: f.TenantID, Action: action, ObjectType: "form", ObjectID: fmt.Sprint(f.ID),
		After: storage.AuditJSON(map[string]any{"version": v.Number, "status": v.Status, "config": imported}),
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "form %s: version %d is now %s\n", slug, v.Number, v.Status)
	return nil
}

func readConfigFile(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("form import: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, forms.MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("form import: read %s: %w", path, err)
	}
	return data, nil
}

// importProblems prints every validation problem of a refused import and
// returns the error that makes the command exit non-zero.
func importProblems(path string, err error, stderr io.Writer) error {
	var ve forms.ValidationErrors
	if !errors.As(err, &ve) {
		return fmt.Errorf("form import: %w", err)
	}
	var b strings.Builder
	for _, e := range ve {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	fmt.Fprintf(stderr, "%s: %d problem(s); nothing was changed:\n%s", path, len(ve), b.String())
	return fmt.Errorf("form import: %s is not valid; nothing was changed", path)
}
