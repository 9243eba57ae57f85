//go:build ignore

// Generate rewrites the generated part of the default dataset (rounds,
// publicity, institutions, results and two notices) from
// internal/gen. Run it from this directory: go generate ./content/jinzhong
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"kjjr/content/jinzhong/internal/gen"
)

func main() {
	files, err := gen.Files(os.DirFS("."))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, d := range gen.Dirs {
		if err := os.RemoveAll(d); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	for p, data := range files {
		fp := filepath.FromSlash(p)
		if err := os.MkdirAll(filepath.Dir(fp), 0o755); err == nil {
			err = os.WriteFile(fp, data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("wrote %d files\n", len(files))
}
