package content

// DisableOpenat2 makes DirFS open files one component at a time, as on
// systems without openat2, for the duration of a test.
func DisableOpenat2(t interface{ Cleanup(func()) }) {
	old := noOpenat2.Load()
	noOpenat2.Store(true)
	t.Cleanup(func() { noOpenat2.Store(old) })
}
