//go:build unix && !linux

package content_test

import "testing"

func disableOpenat2(t *testing.T) {} // there is none
