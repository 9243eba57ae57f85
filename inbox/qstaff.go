package inbox

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// deletedPrefix starts the name a deleted record's directory is renamed
// to before it is removed: ListQuarantine and the budget skip names that
// start with a dot, and the next DeleteQuarantine removes a leftover.
const deletedPrefix = ".deleted-"

// DeleteQuarantine removes the quarantine record id of the repo whose git
// dir is gitDir, with what it keeps of its message, after a person decided
// the message is not a report (the staff console's 删除). It is atomic: the
// record's directory is renamed out of the listing in one step, then
// removed, so the record is either listed whole or gone. It returns the
// record as it was, for the caller's audit line. A record that does not
// exist (never did, or was deleted already: a second click) is an error
// wrapping os.ErrNotExist, and nothing changes. The message in the IMAP
// quarantine mailbox, and any branch a release made, stay.
func DeleteQuarantine(gitDir, id string) (*QuarantineRecord, error) {
	stateDir := filepath.Join(gitDir, "kjjr")
	rec, err := readQuarantine(stateDir, id)
	if err != nil {
		return nil, fmt.Errorf("delete quarantine record %s: %w", id, err)
	}
	qd := quarantineDir(stateDir)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("delete quarantine record %s: %w", id, err)
	}
	gone := filepath.Join(qd, deletedPrefix+id+"-"+hex.EncodeToString(rnd[:]))
	if err := os.Rename(filepath.Join(qd, id), gone); err != nil {
		return nil, fmt.Errorf("delete quarantine record %s: %w", id, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return rec, fmt.Errorf("delete quarantine record %s: remove %s: %w", id, gone, err)
	}
	// Directories a crash left between the rename and the removal.
	if ents, err := os.ReadDir(qd); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), deletedPrefix) {
				_ = os.RemoveAll(filepath.Join(qd, e.Name()))
			}
		}
	}
	return rec, nil
}

// ReadQuarantine returns the quarantine record id of the repo whose git dir
// is gitDir, or an error wrapping os.ErrNotExist when there is none (an id
// that is not a plain record name included).
func ReadQuarantine(gitDir, id string) (*QuarantineRecord, error) {
	return readQuarantine(filepath.Join(gitDir, "kjjr"), id)
}

// maxShownHeader is the most of a header block QuarantineHeader returns.
const maxShownHeader = 64 << 10

// QuarantineHeader returns the header block of the quarantined message id
// as the quarantine keeps it (header.eml, or the head of message.eml), at
// most 64 KiB, raw: the caller escapes it where it shows it. It is "" when
// nothing of the message is kept any more (expired).
func QuarantineHeader(gitDir, id string) (string, error) {
	stateDir := filepath.Join(gitDir, "kjjr")
	rec, err := readQuarantine(stateDir, id)
	if err != nil {
		return "", err
	}
	name := rec.keptFile()
	if name == "" {
		return "", nil
	}
	f, err := os.Open(filepath.Join(quarantineDir(stateDir), rec.ID, name))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("quarantine header %s: %w", id, err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxShownHeader))
	if err != nil {
		return "", fmt.Errorf("quarantine header %s: %w", id, err)
	}
	return string(buf[:headerEnd(buf)]), nil
}
