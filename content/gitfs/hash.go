package gitfs

// EntryHash returns the git hash (hex) of the file or directory name: a
// blob's hash names the file's bytes exactly. content.LoadTree uses it
// (when a TreeFS has it) to stamp the files it reads, so that a build can
// tell unchanged inputs by their hashes (content.Repo.AppendStamp).
func (f *FS) EntryHash(name string) (string, error) {
	e, err := f.lookup("entryhash", name)
	if err != nil {
		return "", err
	}
	return e.Hash.String(), nil
}
