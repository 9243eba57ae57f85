package inbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// keptFile is the file holding what rec keeps of its message, "" for none.
// A record written before Stored existed keeps message.eml.
func (r *QuarantineRecord) keptFile() string {
	if r.Stored == "" && r.Expired.IsZero() {
		return "message.eml"
	}
	return storedFile(r.Stored)
}

// Expiry classes of quarantine records: lower classes go first.
const (
	expireStranger   = iota // no institution (unknown or unreadable sender), not released: the whole record goes
	expireRegistered        // a registered address: DKIM failure, auto-reply, released
	expireRejected          // a registered sender's rejected submission (the receipt named its problems)
)

func expiryClass(r *QuarantineRecord) int {
	switch {
	case r.Institution == "" && r.Released == "":
		return expireStranger
	case r.Reason == ReasonRejected && r.Released == "":
		return expireRejected
	}
	return expireRegistered
}

// qItem is one quarantine record on disk.
type qItem struct {
	rec  *QuarantineRecord
	dir  string
	size int64 // every file of the record
	kept int64 // the stored message
}

// quarantineUsage returns the bytes that the quarantine holds on disk (every
// regular file under it) and its records.
func quarantineUsage(stateDir string) (int64, []qItem, error) {
	qd := quarantineDir(stateDir)
	ents, err := os.ReadDir(qd)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("list quarantine: %w", err)
	}
	var total int64
	var items []qItem
	for _, e := range ents {
		dir := filepath.Join(qd, e.Name())
		it := qItem{dir: dir}
		files, err := os.ReadDir(dir)
		if err != nil {
			continue // not a directory, or gone meanwhile
		}
		for _, f := range files {
			if fi, err := f.Info(); err == nil && fi.Mode().IsRegular() {
				it.size += fi.Size()
			}
		}
		total += it.size
		if e.Name()[0] == '.' {
			continue // a temp dir being written
		}
		rec, err := readQuarantine(stateDir, e.Name())
		if err != nil {
			continue // torn or damaged: staff see it in the listing's errors, not here
		}
		it.rec = rec
		if kf := rec.keptFile(); kf != "" {
			if fi, err := os.Stat(filepath.Join(dir, kf)); err == nil {
				it.kept = fi.Size()
			}
		}
		items = append(items, it)
	}
	return total, items, nil
}

// expireQuarantine brings the quarantine under budget bytes and returns
// what it then holds. Strangers' records go first, whole, oldest first;
// then, oldest first, what registered senders' records keep of their
// messages (DKIM failures, auto-replies and released messages before
// rejected submissions), the record itself staying, marked Expired, so
// that staff still see what came and why.
func expireQuarantine(stateDir string, budget int64, now time.Time) (int64, error) {
	total, items, err := quarantineUsage(stateDir)
	if err != nil || total <= budget {
		return total, err
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].rec, items[j].rec
		if ca, cb := expiryClass(a), expiryClass(b); ca != cb {
			return ca < cb
		}
		if !a.ReceivedAt.Equal(b.ReceivedAt) {
			return a.ReceivedAt.Before(b.ReceivedAt)
		}
		return a.ID < b.ID
	})
	for _, it := range items {
		if total <= budget {
			break
		}
		if expiryClass(it.rec) == expireStranger {
			if err := os.RemoveAll(it.dir); err != nil {
				return total, fmt.Errorf("expire quarantine record %s: %w", it.rec.ID, err)
			}
			total -= it.size
			continue
		}
		kf := it.rec.keptFile()
		if kf == "" {
			continue
		}
		// The file first: a crash in between leaves a record naming a
		// missing file (Release says so), never an orphan file.
		if err := os.Remove(filepath.Join(it.dir, kf)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return total, fmt.Errorf("expire quarantine record %s: %w", it.rec.ID, err)
		}
		it.rec.Stored, it.rec.Expired = "", now
		if err := updateQuarantine(stateDir, it.rec); err != nil {
			return total, fmt.Errorf("expire quarantine record %s: %w", it.rec.ID, err)
		}
		total -= it.kept
	}
	// Count again: rewritten records changed size.
	total, _, err = quarantineUsage(stateDir)
	return total, err
}

// quarantineBudget is site.yaml inbox.quarantine_budget_mib in bytes.
func (e *engine) quarantineBudget() int64 {
	mib := 1024
	if e.snap != nil && e.snap.repo.Site.Inbox.QuarantineBudgetMiB > 0 {
		mib = e.snap.repo.Site.Inbox.QuarantineBudgetMiB
	}
	return int64(mib) << 20
}

// storeQuarantine writes rec with what it may keep of raw (see keepsBody)
// and keeps the quarantine within its budget. The usage is counted once
// per engine and then kept up to date, so a pass does not list the
// quarantine for every message.
func (e *engine) storeQuarantine(rec *QuarantineRecord, id identity, raw []byte, max int64) error {
	rec.Size = id.Size
	if id.HeaderSHA256 == "" {
		rec.Size = int64(len(raw))
	}
	if keepsBody(rec, id, raw, max) {
		rec.Stored = storedMessage
	} else {
		rec.Stored = storedHeader
	}
	n, err := writeQuarantine(e.stateDir, rec, raw)
	if err != nil {
		return err
	}
	budget := e.quarantineBudget()
	if e.qUsed < 0 {
		if e.qUsed, _, err = quarantineUsage(e.stateDir); err != nil {
			e.qUsed = -1
			return nil // the record is written; the budget is checked next time
		}
	} else {
		e.qUsed += n
	}
	if e.qUsed > budget {
		used, err := expireQuarantine(e.stateDir, budget, e.now())
		if err != nil {
			e.log.Error("inbox: quarantine over budget and not expired", "err", err)
			e.qUsed = -1
			return nil
		}
		e.log.Info("inbox: quarantine expired to stay within budget", "used", used, "budget", budget)
		e.qUsed = used
	}
	return nil
}

// QuarantineUsage returns the bytes the quarantine of the repo whose git
// dir is gitDir holds on disk, as counted against
// inbox.quarantine_budget_mib.
func QuarantineUsage(gitDir string) (int64, error) {
	n, _, err := quarantineUsage(filepath.Join(gitDir, "kjjr"))
	return n, err
}
