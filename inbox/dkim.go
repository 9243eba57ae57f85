package inbox

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-msgauth/dkim"

	"kjjr/content"
	"kjjr/internal/safetext"
)

// dkimResult is the DKIM verdict of a message as it goes into the
// commit's DKIM trailer: pass (d=example.com), fail (...) or none.
type dkimResult struct {
	Status string // "pass", "fail", "none", "temperror"
	Domain string // d= of the deciding signature
	Detail string // why it failed (English, for the trailer and logs)
}

func (r dkimResult) String() string {
	switch r.Status {
	case "pass":
		return fmt.Sprintf("pass (d=%s)", r.Domain)
	case "fail", "temperror":
		if r.Domain != "" {
			return fmt.Sprintf("%s (d=%s: %s)", r.Status, r.Domain, oneLine(r.Detail))
		}
		return fmt.Sprintf("%s (%s)", r.Status, oneLine(r.Detail))
	}
	return "none"
}

// oneLine makes a detail one safe line of at most 200 characters.
func oneLine(s string) string { return safetext.Line(s, 200) }

// aligned reports whether a signing domain d aligns with the From domain
// (relaxed alignment: the same domain, or one a subdomain of the other).
func aligned(d, from string) bool {
	d, from = strings.ToLower(strings.TrimSuffix(d, ".")), strings.ToLower(from)
	return d != "" && (d == from || strings.HasSuffix(from, "."+d) || strings.HasSuffix(d, "."+from))
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// errPinnedMissing: the institution pins keys for the domain, but none for
// the signature's selector. DNS is not consulted then.
var errPinnedMissing = errors.New("no pinned key for this selector")

// verifyDKIM checks the DKIM signatures of raw whose d= aligns with the
// From address. Pinned keys of the institution win over DNS for their
// domains; lookup is the DNS resolver (nil: net.LookupTXT).
// Authentication-Results headers are never read.
func verifyDKIM(raw []byte, from string, inst *content.Institution, lookup func(string) ([]string, error)) dkimResult {
	if lookup == nil {
		lookup = net.LookupTXT
	}
	fromDomain := domainOf(from)
	// Cheap check first: no signature header at all.
	head := raw[:headerEnd(raw)]
	if !bytes.Contains(bytes.ToLower(head), []byte("dkim-signature:")) {
		return dkimResult{Status: "none"}
	}
	pinned := map[string][]content.DKIMKey{}
	if inst != nil {
		for _, k := range inst.DKIMKeys {
			d := strings.ToLower(strings.TrimSuffix(k.Domain, "."))
			pinned[d] = append(pinned[d], k)
		}
	}
	opts := &dkim.VerifyOptions{
		MaxVerifications: 5,
		LookupTXT: func(name string) ([]string, error) {
			// name is <selector>._domainkey.<domain>
			name = strings.ToLower(strings.TrimSuffix(name, "."))
			i := strings.Index(name, "._domainkey.")
			if i < 0 {
				return lookup(name)
			}
			sel, dom := name[:i], name[i+len("._domainkey."):]
			if keys, ok := pinned[dom]; ok {
				for _, k := range keys {
					if strings.EqualFold(k.Selector, sel) {
						return []string{k.Record}, nil
					}
				}
				return nil, errPinnedMissing
			}
			return lookup(name)
		},
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	if err != nil && len(verifs) == 0 {
		return dkimResult{Status: "fail", Detail: err.Error()}
	}
	var res dkimResult
	res.Status = "none"
	for _, v := range verifs {
		if !aligned(v.Domain, fromDomain) {
			continue
		}
		if v.Err == nil {
			return dkimResult{Status: "pass", Domain: strings.ToLower(v.Domain)}
		}
		if dkim.IsTempFail(v.Err) && res.Status != "fail" {
			res = dkimResult{Status: "temperror", Domain: strings.ToLower(v.Domain), Detail: v.Err.Error()}
			continue
		}
		res = dkimResult{Status: "fail", Domain: strings.ToLower(v.Domain), Detail: v.Err.Error()}
	}
	return res
}

// pinsDomain reports whether inst pins DKIM keys for the From domain.
func pinsDomain(inst *content.Institution, from string) bool {
	if inst == nil {
		return false
	}
	fd := domainOf(from)
	for _, k := range inst.DKIMKeys {
		if aligned(k.Domain, fd) {
			return true
		}
	}
	return false
}
