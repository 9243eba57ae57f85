package content

import (
	"fmt"
	"io/fs"
)

// ReadSite reads site.yaml from fsys as Load does: decoded strictly, with
// Load's defaults (deadlines, policy, inbox limits) for what it leaves
// out. For callers that need the settings without loading the repo. The
// error is that of reading the file (fs.ErrNotExist when there is none;
// the Site then holds the defaults); problems in the file come back as
// Diagnostics.
func ReadSite(fsys fs.FS) (Site, Diagnostics, error) {
	var s Site
	data, err := fs.ReadFile(fsys, "site.yaml")
	if err != nil {
		s.ApplyDefaults()
		return s, nil, fmt.Errorf("content: read site.yaml: %w", err)
	}
	ds := DecodeYAMLFile("site.yaml", data, &s)
	s.ApplyDefaults()
	return s, ds, nil
}
