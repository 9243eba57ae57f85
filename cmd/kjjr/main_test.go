package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kjjr": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs cmd/kjjr/testdata/script/*.txtar. Run with -update to
// rewrite the expected output in the scripts (cmp with golden files).
//
// Fixtures several scripts share are files under testdata, not copies in
// each archive: content repos in testdata/repos/<name>/ and monthly
// sheets in testdata/sheets/ (copies of sheet/testdata, kept in step by
// go test ./sheet -run TestScriptFixtures). A script copies one into its
// $WORK with the fixture command.
func TestScripts(t *testing.T) {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TESTDATA", testdata)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fixture":    fixture,
			"fillscores": fillScores, // round_test.go
		},
	})
}

// fixture is the script command "fixture SRC [DST]": it copies
// $TESTDATA/SRC, a file or a directory tree, to DST in the script's
// directory (default: SRC's last element), e.g. fixture repos/register repo.
func fixture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: fixture SRC [DST]")
	}
	src := filepath.Join(ts.Getenv("TESTDATA"), filepath.FromSlash(args[0]))
	dst := filepath.Base(src)
	if len(args) == 2 {
		dst = args[1]
	}
	dst = ts.MkAbs(dst)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	ts.Check(err)
}
