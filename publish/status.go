package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kjjr/health"
)

// Attempt is one publish through a git directory, as logged.
type Attempt struct {
	Time       time.Time `json:"time"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error,omitempty"`
	Commit     string    `json:"commit,omitempty"`
	Release    string    `json:"release,omitempty"`
	Unchanged  bool      `json:"unchanged,omitempty"`
	Seconds    float64   `json:"seconds"`
	CPUSeconds float64   `json:"cpu_seconds,omitempty"` // Result.CPU
	NextChange string    `json:"next_change,omitempty"`
	Steps      []Step    `json:"steps,omitempty"` // Result.Steps
}

// Status is the record kept in <gitdir>/kjjr/publish.json: the last
// publish and the last one that succeeded.
type Status struct {
	Last        Attempt  `json:"last"`
	LastSuccess *Attempt `json:"last_success,omitempty"`
	WebRoot     string   `json:"webroot,omitempty"`
}

// StatusPath and LogPath name the status record and the log of the
// publishes through gitDir.
func StatusPath(gitDir string) string { return filepath.Join(gitDir, "kjjr", "publish.json") }

// LogPath is the publish log of gitDir: one line per publish.
func LogPath(gitDir string) string { return filepath.Join(gitDir, "kjjr", "publish.log") }

// ReadStatus reads gitDir's status record; fs.ErrNotExist (wrapped) when
// nothing was published through it yet.
func ReadStatus(gitDir string) (*Status, error) {
	b, err := os.ReadFile(StatusPath(gitDir))
	if err != nil {
		return nil, fmt.Errorf("publish: status: %w", err)
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("publish: status %s: %w", StatusPath(gitDir), err)
	}
	return &s, nil
}

// Record logs the outcome of a publish through gitDir (res when err is
// nil) to LogPath and updates StatusPath.
func Record(gitDir, webroot string, start time.Time, res *Result, err error) error {
	a := Attempt{Time: start.UTC().Truncate(time.Millisecond), OK: err == nil, Seconds: time.Since(start).Seconds()}
	if err != nil {
		a.Error = err.Error()
	} else {
		a.Commit, a.Release, a.Unchanged = res.Release.Commit, res.Release.ID, res.Unchanged
		a.CPUSeconds, a.Steps = res.CPU.Seconds(), res.Steps
		if !res.NextChange.IsZero() {
			a.NextChange = res.NextChange.String()
		}
	}
	if err := os.MkdirAll(filepath.Join(gitDir, "kjjr"), 0o755); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	// kjjr health reads every job's runs from one record (package health).
	run := health.Run{Start: start, End: time.Now(), Err: err}
	if err == nil && !res.NextChange.IsZero() {
		run.NextChange = res.NextChange.Time()
	}
	if herr := health.Record(gitDir, health.JobPublish, run); herr != nil {
		return fmt.Errorf("publish: %w", herr)
	}
	line, _ := json.Marshal(a)
	f, ferr := os.OpenFile(LogPath(gitDir), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if ferr != nil {
		return fmt.Errorf("publish: log: %w", ferr)
	}
	_, ferr = f.Write(append(line, '\n'))
	if cerr := f.Close(); ferr == nil {
		ferr = cerr
	}
	if ferr != nil {
		return fmt.Errorf("publish: log: %w", ferr)
	}
	st, rerr := ReadStatus(gitDir)
	if rerr != nil {
		if !errors.Is(rerr, fs.ErrNotExist) {
			st = nil // unreadable: start over
		}
		st = &Status{}
	}
	st.Last, st.WebRoot = a, webroot
	if a.OK {
		st.LastSuccess = &a
	}
	return writeJSON(StatusPath(gitDir), st)
}
