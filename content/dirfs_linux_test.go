package content_test

import (
	"testing"

	"kjjr/content"
)

func disableOpenat2(t *testing.T) { content.DisableOpenat2(t) }
