package site

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kjjr/internal/testenv"
)

// webTools is where `npm ci --prefix tools/web` installs the pinned
// vnu-jar and axe-core.
var webTools = filepath.Join("..", "tools", "web", "node_modules")

// TestNuHTMLChecker validates every page of the built default dataset and
// of the test fixture with the W3C Nu HTML checker, in one JVM.
func TestNuHTMLChecker(t *testing.T) {
	java, err := exec.LookPath("java")
	testenv.Need(t, "java", err)
	jar := filepath.Join(webTools, "vnu-jar", "build", "dist", "vnu.jar")
	_, err = os.Stat(jar)
	testenv.Need(t, "vnu.jar (npm ci --prefix tools/web)", err)

	def, _ := buildTo(t, defaultRepo(t))
	fix, _ := buildTo(t, loadFixture(t, "basic.txtar"))
	xss, _ := buildTo(t, loadFixture(t, "xss.txtar"))
	cmd := exec.Command(java, "-Xss8m", "-XX:TieredStopAtLevel=1", "-jar", jar,
		"--errors-only", "--format", "json", "--skip-non-html", def, fix, xss)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	var report struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int
		}
	}
	if err := json.Unmarshal(stderr.Bytes(), &report); err != nil {
		t.Fatalf("vnu output is not JSON (%v): %v\n%s", runErr, err, stderr.String())
	}
	for _, m := range report.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			t.Errorf("%s:%d: %s\n\t%s", m.URL, m.LastLine, m.Message, m.Extract)
		}
	}
	if runErr != nil && len(report.Messages) == 0 {
		t.Errorf("vnu failed: %v\n%s", runErr, stderr.String())
	}
}

type axeResult struct {
	Violations []struct {
		ID, Impact, Help string
		Nodes            []struct {
			Target []string `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// TestAxeAccessibility runs axe-core in Chromium on the main page types
// and fails on any serious or critical violation (WCAG 2.x A and AA
// rules and best practices).
func TestAxeAccessibility(t *testing.T) {
	axeJS, err := os.ReadFile(filepath.Join(webTools, "axe-core", "axe.min.js"))
	testenv.Need(t, "axe-core (npm ci --prefix tools/web)", err)
	tb := newTab(t)
	base := serveSite(t)
	for _, p := range mainPages {
		for _, large := range []bool{false, true} {
			tb.do(t, chromedp.Navigate(base+p), chromedp.WaitReady(chromedp.CSS("footer")))
			if large {
				if p != "" && p != "institutions/alpha/" {
					continue
				}
				tb.do(t, chromedp.Click(chromedp.CSS("#textsize")))
			}
			tb.do(t, chromedp.Evaluate[chromedp.Void](string(axeJS)))
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](`axe.run(document, {resultTypes: ["violations"]})`, chromedp.EvalAwaitPromise))
			cancel()
			if err != nil {
				t.Fatalf("%s: axe: %v", p, err)
			}
			for _, v := range res.Violations {
				if v.Impact == "serious" || v.Impact == "critical" {
					var targets []string
					for _, n := range v.Nodes {
						targets = append(targets, strings.Join(n.Target, " "))
					}
					t.Errorf("%s (large text %v): %s %s: %s on %v", p, large, v.Impact, v.ID, v.Help, targets)
				} else {
					t.Logf("%s: %s %s: %s", p, v.Impact, v.ID, v.Help)
				}
			}
		}
	}
}
