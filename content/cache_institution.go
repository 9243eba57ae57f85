package content

// Institutions (one per institution directory, a few thousand in a big
// repo) are kept in a binary form too, like reports: decoding them from
// JSON was a tenth of a warm Load. One with report senders or DKIM keys
// (private: LoadOptions.Public drops them) is kept as JSON instead.

// institutionBinary reports whether inst can be kept in the binary form.
func institutionBinary(inst *Institution) bool {
	return inst.ReportSenders == nil && inst.DKIMKeys == nil && inst.Reports == nil && inst.Inspections == nil && inst.History == nil
}

// strs writes a list of strings, telling nil from empty.
func (w *cacheWriter) strs(l []string) {
	if l == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(l)) + 1)
	for _, s := range l {
		w.str(s)
	}
}

func (w *cacheWriter) bool(b bool) {
	if b {
		w.uint(1)
	} else {
		w.uint(0)
	}
}

// appendInstitution appends the binary form of a cache entry holding an
// institution.
func appendInstitution(b []byte, e *cacheEntry) []byte {
	w := cacheWriter{b}
	in := e.Institution
	w.str(e.Path)
	w.int(e.Stamp.Size)
	w.int(e.Stamp.MTime)
	w.int(e.Stamp.CTime)
	w.uint(e.Stamp.Ino)
	for _, s := range [...]string{in.Name, in.ShortName, in.USCC, in.LegalForm, in.Website, in.Credit.Source, in.Team.Description,
		in.Office.Address, in.Office.County, in.Office.Phone,
		in.Contact.Department, in.Contact.Person, in.Contact.Phone, in.Contact.Email, in.Contact.Address,
		in.Slug, in.File, in.Body} {
		w.str(s)
	}
	w.date(in.Founded)
	w.date(in.Credit.CheckedOn)
	w.bool(in.Credit.SeriousDishonesty)
	w.bool(in.Credit.Blacklisted)
	w.bool(in.ServesJinchuanggu)
	w.int(int64(in.Team.Size))
	w.int(int64(in.BodyLine))
	for _, l := range [...][]string{in.Capabilities, in.Partners.Banks, in.Partners.LawFirms, in.Partners.AccountingFirms, in.Partners.Others, in.Services} {
		w.strs(l)
	}
	return w.b
}

// readInstitution decodes what appendInstitution wrote.
func readInstitution(b []byte) (*cacheEntry, error) { return new(reportDecoder).readInstitution(b) }

// bool reads what cacheWriter.bool wrote.
func (r *cacheReader) bool() bool {
	switch r.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	r.err = errCacheCorrupt
	return false
}

// strList reads what cacheWriter.strs wrote, the strings interned.
func (d *reportDecoder) strList(r *cacheReader) []string {
	n := r.uint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(r.b)) {
		r.err = errCacheCorrupt
		r.b = nil
		return nil
	}
	l := make([]string, n-1)
	for i := range l {
		l[i] = d.str(r)
	}
	return l
}

// readInstitution decodes what appendInstitution wrote.
func (d *reportDecoder) readInstitution(b []byte) (*cacheEntry, error) {
	r := cacheReader{b: b}
	in := new(Institution)
	e := &cacheEntry{Kind: kindInstitution, Institution: in}
	e.Path = d.str(&r)
	e.Stamp.Size = r.int()
	e.Stamp.MTime = r.int()
	e.Stamp.CTime = r.int()
	e.Stamp.Ino = r.uint()
	for _, p := range [...]*string{&in.Name, &in.ShortName, &in.USCC, &in.LegalForm, &in.Website, &in.Credit.Source, &in.Team.Description,
		&in.Office.Address, &in.Office.County, &in.Office.Phone,
		&in.Contact.Department, &in.Contact.Person, &in.Contact.Phone, &in.Contact.Email, &in.Contact.Address,
		&in.Slug, &in.File, &in.Body} {
		*p = d.str(&r)
	}
	in.Founded = r.date()
	in.Credit.CheckedOn = r.date()
	in.Credit.SeriousDishonesty = r.bool()
	in.Credit.Blacklisted = r.bool()
	in.ServesJinchuanggu = r.bool()
	in.Team.Size = r.num()
	in.BodyLine = r.num()
	for _, p := range [...]*[]string{&in.Capabilities, &in.Partners.Banks, &in.Partners.LawFirms, &in.Partners.AccountingFirms, &in.Partners.Others, &in.Services} {
		*p = d.strList(&r)
	}
	if r.err != nil || len(r.b) != 0 || e.Path == "" {
		return nil, errCacheCorrupt
	}
	return e, nil
}
