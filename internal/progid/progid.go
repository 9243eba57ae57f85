// Package progid names the running build of kjjr, cheaply: what a cache
// or a build records so that a different program does not trust what
// this one wrote (site's template version, content's load cache key).
//
// The name is the Go build ID of the executable, which the go command
// derives from the binary's contents, so two different binaries have
// different ids. It is read from the start of the file, as `go tool
// buildid` reads it: for ELF from the Go note (program headers in the
// first 32 KiB), for Mach-O from the start of the __text section, and for
// the other formats (PE) from the raw marker the linker writes at the
// start of the text, near the beginning of the file. Only when no build
// ID is found (a binary linked with -buildid=, an unknown format) is the
// whole file hashed instead, which costs a read of tens of megabytes.
package progid

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
)

// ID returns the name of the running executable's build: "go:" and its
// Go build ID, or "sha256:" and the hash of the file when it has none,
// or "" when the executable cannot be read. It is computed once per
// process.
var ID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	id, err := File(exe)
	if err != nil {
		return ""
	}
	return id
})

// File returns the name of the build of the executable at path, as ID
// does for the running one.
func File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("progid: %w", err)
	}
	defer f.Close()
	id, err := buildID(f)
	if err == nil && id != "" {
		return "go:" + id, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("progid: %s: %w", path, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("progid: %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// readSize is how much of the start of a binary is searched, as by `go
// tool buildid`.
const readSize = 32 << 10

var (
	rawPrefix = []byte("\xff Go build ID: \"")
	rawEnd    = []byte("\"\n \xff")
	goNote    = []byte("Go\x00\x00")
)

// errNone is returned when a file holds no Go build ID.
var errNone = errors.New("no Go build ID")

// buildID reads the Go build ID of the binary f.
func buildID(f *os.File) (string, error) {
	data := make([]byte, readSize)
	n, err := io.ReadFull(f, data)
	if err != nil && err != io.ErrUnexpectedEOF {
		return "", err
	}
	data = data[:n]
	switch {
	case bytes.HasPrefix(data, []byte(elf.ELFMAG)):
		if id, err := elfNote(f, data); err == nil {
			return id, nil
		}
	case isMacho(data):
		if id, err := raw(data); err == nil {
			return id, nil
		}
		return machoText(f)
	}
	return raw(data)
}

// raw finds the build ID the linker writes at the start of the text.
func raw(data []byte) (string, error) {
	i := bytes.Index(data, rawPrefix)
	if i < 0 {
		return "", errNone
	}
	j := bytes.Index(data[i+len(rawPrefix):], rawEnd)
	if j < 0 {
		return "", errNone
	}
	id, err := strconv.Unquote(string(data[i+len(rawPrefix)-1 : i+len(rawPrefix)+j+1]))
	if err != nil || id == "" {
		return "", errNone
	}
	return id, nil
}

// elfNote reads the Go build ID note of an ELF binary whose first bytes
// are data: its program headers are there, the note is read where they
// say.
func elfNote(f *os.File, data []byte) (string, error) {
	// Hide the section headers, so that elf.NewFile parses only the
	// program headers, from data.
	hdr := bytes.Clone(data)
	switch elf.Class(hdr[elf.EI_CLASS]) {
	case elf.ELFCLASS32:
		if len(hdr) < 52 {
			return "", errNone
		}
		clear(hdr[32:36])
		clear(hdr[48:50])
	case elf.ELFCLASS64:
		if len(hdr) < 64 {
			return "", errNone
		}
		clear(hdr[40:48])
		clear(hdr[60:62])
	default:
		return "", errNone
	}
	ef, err := elf.NewFile(bytes.NewReader(hdr))
	if err != nil {
		return "", err
	}
	const goBuildIDTag = 4
	for _, p := range ef.Progs {
		if p.Type != elf.PT_NOTE || p.Filesz < 16 || p.Filesz > 1<<20 {
			continue
		}
		note := make([]byte, p.Filesz)
		if _, err := f.ReadAt(note, int64(p.Off)); err != nil {
			return "", err
		}
		for len(note) >= 16 {
			nameSize := ef.ByteOrder.Uint32(note)
			valSize := ef.ByteOrder.Uint32(note[4:])
			tag := ef.ByteOrder.Uint32(note[8:])
			if nameSize == 4 && uint64(valSize)+16 <= uint64(len(note)) && tag == goBuildIDTag && bytes.Equal(note[12:16], goNote) {
				return string(note[16 : 16+valSize]), nil
			}
			size := 12 + uint64((nameSize+3)&^3) + uint64((valSize+3)&^3)
			if size >= uint64(len(note)) {
				break
			}
			note = note[size:]
		}
	}
	return "", errNone
}

func isMacho(data []byte) bool {
	for _, m := range [][]byte{{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}} {
		if bytes.HasPrefix(data, m) {
			return true
		}
	}
	return false
}

// machoText reads the build ID from the start of a Mach-O binary's
// __text section.
func machoText(f *os.File) (string, error) {
	mf, err := macho.NewFile(f)
	if err != nil {
		return "", err
	}
	s := mf.Section("__text")
	if s == nil {
		return "", errNone
	}
	buf := make([]byte, min(s.Size, readSize))
	if _, err := f.ReadAt(buf, int64(s.Offset)); err != nil {
		return "", err
	}
	return raw(buf)
}
