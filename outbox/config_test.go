package outbox

import (
	"testing"

	"kjjr/content"
)

// TestConfigFor pins what every command's outbox is made of: From from
// site.yaml (else DefaultFrom), the bureau and contact, recipients only
// among the institution's report_senders, and a Sent copy only when both
// servers are given.
func TestConfigFor(t *testing.T) {
	inst := &content.Institution{ReportSenders: []content.Sender{{Email: "A@Example.cn"}, {Email: "b@example.cn"}}}
	lookup := func(slug string) *content.Institution {
		if slug == "alpha" {
			return inst
		}
		return nil
	}
	site := &content.Site{Bureau: "晋中市科学技术局", Contact: content.Contact{Email: "kjj@example.gov.cn"}}
	site.Inbox.ReceiptFrom = "kjjr@example.gov.cn"
	tests := []struct {
		name     string
		site     *content.Site
		srv      Server
		wantFrom string
		wantSent bool
	}{
		{"site from", site, Server{Addr: "127.0.0.1:25", TLS: "none"}, "kjjr@example.gov.cn", false},
		{"default from", &content.Site{}, Server{}, DefaultFrom, false},
		{"sent copy", site, Server{Addr: "127.0.0.1:25", Sent: IMAPConfig{Addr: "127.0.0.1:143"}}, "kjjr@example.gov.cn", true},
		{"no copy without smtp", site, Server{Sent: IMAPConfig{Addr: "127.0.0.1:143"}}, "kjjr@example.gov.cn", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ConfigFor(tt.site, lookup, tt.srv)
			if cfg.From != tt.wantFrom {
				t.Errorf("From = %q, want %q", cfg.From, tt.wantFrom)
			}
			if cfg.Addr != tt.srv.Addr || cfg.TLS != tt.srv.TLS {
				t.Errorf("server %q %q, want %q %q", cfg.Addr, cfg.TLS, tt.srv.Addr, tt.srv.TLS)
			}
			if cfg.FromName != tt.site.Bureau || cfg.Contact != tt.site.Contact {
				t.Errorf("FromName %q Contact %+v, want the site's", cfg.FromName, cfg.Contact)
			}
			if (cfg.AppendSent != nil) != tt.wantSent {
				t.Errorf("AppendSent set = %v, want %v", cfg.AppendSent != nil, tt.wantSent)
			}
			o, err := Open(t.TempDir(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := o.recipients("alpha", []string{"a@example.cn"}, []string{"b@example.cn"}); err != nil {
				t.Errorf("report senders refused: %v", err)
			}
			if _, _, err := o.recipients("alpha", []string{"c@example.cn"}, nil); err == nil {
				t.Error("an address that is not a report sender was accepted")
			}
			if _, _, err := o.recipients("beta", []string{"a@example.cn"}, nil); err == nil {
				t.Error("another institution's sender was accepted for an unknown institution")
			}
		})
	}
}
