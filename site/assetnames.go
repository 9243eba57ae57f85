package site

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// Assets are published under names that carry a hash of their bytes
// (assets/site.<hash>.css), so that a web server can let browsers keep
// them for good (Cache-Control: immutable) while pages, revalidated on
// every visit, always name the assets they were rendered with. A new
// build of kjjr whose assets differ gives them new names.

// assetNames maps each published asset's plain path (assets/site.css) to
// its hashed one.
var assetNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "assets/live.js" {
			return err
		}
		data, err := fs.ReadFile(assetFS, p)
		if err != nil {
			return err
		}
		m[p] = hashedName(p, data)
		return nil
	})
	m["assets/icon.png"] = hashedName("assets/icon.png", iconPNG())
	return m
})

// hashedName is p with a hash of data before its extension.
func hashedName(p string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(p)
	return strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext
}

// AssetPath returns the path, relative to the site's root, under which
// the asset p (such as "assets/site.css") is published, or p itself when
// it is not one of the site's assets.
func AssetPath(p string) string {
	if h, ok := assetNames()[p]; ok {
		return h
	}
	return p
}
