//go:build unix

package publish

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeQuotesServerFiles: the README shows the nginx site and every
// server file exactly as the tests exercise them.
func TestReadmeQuotesServerFiles(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```nginx\n"+NginxSite+"```\n") {
		t.Error("the README does not quote NginxSite verbatim in an nginx block")
	}
	for _, f := range ServerFiles {
		if !strings.Contains(string(readme), "`"+f.Path+"`") || !strings.Contains(string(readme), "```\n"+f.Text+"```\n") {
			t.Errorf("the README does not quote %s verbatim", f.Path)
		}
	}
}

// TestSystemdUnits: the units pass systemd-analyze verify (with kjjr's
// path changed to a built binary: verify checks that it exists).
func TestSystemdUnits(t *testing.T) {
	sa := need(t, "systemd-analyze")
	bin := kjjrBinary(t)
	dir := t.TempDir()
	var units []string
	for _, f := range ServerFiles {
		if !strings.HasPrefix(f.Path, "/etc/systemd/system/") {
			continue
		}
		p := filepath.Join(dir, filepath.Base(f.Path))
		writeFile(t, p, strings.ReplaceAll(f.Text, "/usr/local/bin/kjjr", bin))
		units = append(units, p)
	}
	out, err := exec.Command(sa, append([]string{"verify"}, units...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	if len(out) > 0 {
		t.Logf("systemd-analyze verify:\n%s", out)
	}
}

// TestTimedPublishCommands: the command of the publish unit and of the
// cron line publishes, and run again with nothing changed makes no new
// release.
func TestTimedPublishCommands(t *testing.T) {
	repo := contentRepo(t)
	web := filepath.Join(t.TempDir(), "www")
	bin := kjjrBinary(t)
	for _, f := range ServerFiles {
		var cmdline string
		switch {
		case strings.HasSuffix(f.Path, "kjjr-publish.service"):
			for _, l := range strings.Split(f.Text, "\n") {
				if c, ok := strings.CutPrefix(l, "ExecStart="); ok {
					cmdline = c
				}
			}
		case strings.HasSuffix(f.Path, "cron.d/kjjr-publish"):
			for _, l := range strings.Split(f.Text, "\n") {
				if fs := strings.Fields(l); len(fs) > 6 && !strings.HasPrefix(l, "#") {
					cmdline = strings.Join(fs[6:], " ") // after the five times and the user
				}
			}
		default:
			continue
		}
		args := strings.Fields(cmdline)
		if len(args) == 0 || args[0] != "/usr/local/bin/kjjr" {
			t.Fatalf("%s: no kjjr command in %q", f.Path, cmdline)
		}
		for i, a := range args {
			args[i] = strings.NewReplacer("/srv/kjjr/content.git", repo, "/srv/kjjr/www", web).Replace(a)
		}
		before, _ := Releases(web)
		for run := 0; run < 2; run++ {
			out, err := exec.Command(bin, args[1:]...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", f.Path, err, out)
			}
		}
		after, _ := Releases(web)
		if len(after) != len(before)+1 && !(len(before) > 0 && len(after) == len(before)) {
			t.Errorf("%s: releases %v after %v: want one new release, then none for the unchanged rerun", f.Path, after, before)
		}
		if _, err := Current(web); err != nil {
			t.Errorf("%s: nothing live: %v", f.Path, err)
		}
	}
}
