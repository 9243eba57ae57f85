package review

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/application"
	"kjjr/content"
	"kjjr/submission"
)

// applyCommit writes an application as the inbox lays it out (package
// submission) on top of parent, on its branch.
func (f *fixture) applyCommit(parent string, a *application.Application, slug string, atts ...string) {
	f.t.Helper()
	b, err := submission.NewApplyBranch("2025-1", submission.ApplicantKey(a.Institution.USCC, ""))
	if err != nil {
		f.t.Fatal(err)
	}
	var form bytes.Buffer
	if err := application.Fill(&form, a); err != nil {
		f.t.Fatal(err)
	}
	dir := b.EvidenceDir(slug)
	files := map[string][]byte{dir + "/form.xlsx": form.Bytes(), "institutions/" + slug + "/index.md": []byte(instMD(a.Institution.Name, "x@example.cn"))}
	for _, n := range atts {
		files[dir+"/"+submission.EvidenceName(strings.Repeat("ab", 32), n)] = []byte("%PDF " + n)
	}
	m := submission.ApplyMeta{Branch: b, Slug: slug, SourceSHA256: strings.Repeat("1", 64) + parent}
	msg := "申报\n\n正文\n\n" + m.Trailers()
	f.commit(f.head(parent), files, msg, object.Signature{Name: a.Institution.Name, Email: "a@example.cn", When: at("2025-04-10 09:00")}, b.Ref())
}

// Applications lists each branch of the round with its pre-check, its
// resubmissions, and whether a registered institution sent it.
func TestApplications(t *testing.T) {
	f := newFixture(t, false)
	young := application.Example("新申报科技有限公司", testUSCC(7))
	young.Institution.Founded = content.Date{Year: 2023, Month: 1, Day: 1}
	f.applyCommit("main", young, strings.ToLower(young.Institution.USCC), "营业执照.pdf")
	f.applyCommit("refs/heads/apply/2025-1/"+young.Institution.USCC, young, strings.ToLower(young.Institution.USCC), "营业执照.pdf", "信用报告.pdf")
	reg := application.Example(institutions["alpha"][0], testUSCC(8))
	f.applyCommit("main", reg, "alpha", application.ExampleAttachments...)
	rd, apps, err := f.r.Applications("2025-1")
	if err != nil {
		t.Fatal(err)
	}
	if rd.Title != "2025年第一批遴选" || len(apps) != 2 {
		t.Fatalf("round %q, %d applications", rd.Title, len(apps))
	}
	a := apps[0] // testUSCC(7) sorts first
	if a.Commits != 2 || a.Registered || a.Draft == nil || len(a.Attachments) != 2 || a.Attachments[1] != "营业执照.pdf" && a.Attachments[0] != "营业执照.pdf" {
		t.Errorf("resubmitted application: %+v", a)
	}
	// Founded 2023-01-01: not 3 years before the close 2025-04-30.
	if failed := a.Failed(); len(failed) != 1 || failed[0].Rule != application.RuleFounded {
		t.Errorf("failed %+v", failed)
	}
	if b := apps[1]; !b.Registered || b.Slug != "alpha" || b.Commits != 1 {
		t.Errorf("registered application: %+v", b)
	}
	if _, _, err := f.r.Applications("nosuch"); CodeOf(err) != CodeNoRound {
		t.Errorf("unknown round: %v", err)
	}
}
