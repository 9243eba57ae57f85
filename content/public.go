package content

// StripPrivate drops from a decoded record (a pointer to an Institution
// or a Report; other records are left as they are) what the public site
// never shows: the fields LoadOptions.Public drops. A record so stripped
// is for rendering the site only.
func StripPrivate(rec any) { stripPrivate(rec) }
