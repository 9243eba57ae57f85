// Package webcheck runs the project's pinned web checkers from tests: the
// W3C Nu HTML checker (vnu.jar, on java) and axe-core (in a Chromium page
// driven by chromedp), both installed by `npm ci --prefix tools/web` into
// tools/web/node_modules at the module root. The public site's tests and
// the staff console's tests use it, so that both are held to the same
// rules: no Nu error, no serious or critical axe violation.
//
// A missing tool follows package testenv: the test is skipped, except in
// CI, where it fails. It is imported by tests only.
package webcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kjjr/internal/testenv"
)

// ToolsDir returns tools/web/node_modules below the module root, found by
// walking up from the working directory (a package's directory under go
// test) to go.mod.
func ToolsDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", "web", "node_modules"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Message is one message of the Nu checker.
type Message struct {
	Type, URL, Message, Extract string
	LastLine                    int
}

// Nu validates the HTML files and directories at paths with the Nu
// checker (errors only, one JVM) and returns its errors. It ends the test
// as testenv.Missing does when java or vnu.jar is missing.
func Nu(t testing.TB, paths ...string) []Message {
	t.Helper()
	java, err := exec.LookPath("java")
	testenv.Need(t, "java", err)
	tools, err := ToolsDir()
	testenv.Need(t, "tools/web", err)
	jar := filepath.Join(tools, "vnu-jar", "build", "dist", "vnu.jar")
	_, err = os.Stat(jar)
	testenv.Need(t, "vnu.jar (npm ci --prefix tools/web)", err)
	args := append([]string{"-Xss8m", "-XX:TieredStopAtLevel=1", "-jar", jar, "--errors-only", "--format", "json", "--skip-non-html"}, paths...)
	cmd := exec.Command(java, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	var report struct{ Messages []Message }
	if err := json.Unmarshal(stderr.Bytes(), &report); err != nil {
		t.Fatalf("vnu output is not JSON (%v): %v\n%s", runErr, err, stderr.String())
	}
	var out []Message
	for _, m := range report.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			out = append(out, m)
		}
	}
	if runErr != nil && len(report.Messages) == 0 {
		t.Fatalf("vnu failed: %v\n%s", runErr, stderr.String())
	}
	return out
}

// String formats m as file:line: message and the extract.
func (m Message) String() string {
	return fmt.Sprintf("%s:%d: %s\n\t%s", m.URL, m.LastLine, m.Message, m.Extract)
}

// AxeScript returns the pinned axe-core, or ends the test as
// testenv.Missing does.
func AxeScript(t testing.TB) string {
	t.Helper()
	tools, err := ToolsDir()
	testenv.Need(t, "tools/web", err)
	js, err := os.ReadFile(filepath.Join(tools, "axe-core", "axe.min.js"))
	testenv.Need(t, "axe-core (npm ci --prefix tools/web)", err)
	return string(js)
}

// Violation is one axe-core rule violated on a page.
type Violation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// Serious reports whether v is serious or critical: what the tests fail on.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String formats v with the elements it was found on.
func (v Violation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, strings.Join(n.Target, " "))
	}
	return fmt.Sprintf("%s %s: %s on %v", v.Impact, v.ID, v.Help, targets)
}

// Axe injects script (AxeScript) into the page of the chromedp context
// ctx and runs axe-core on the document (WCAG 2.x A and AA rules and best
// practices), returning every violation.
func Axe(ctx context.Context, script string) ([]Violation, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](script)); err != nil {
		return nil, fmt.Errorf("inject axe: %w", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Violations []Violation `json:"violations"`
	}](`axe.run(document, {resultTypes: ["violations"]})`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe: %w", err)
	}
	return res.Violations, nil
}
