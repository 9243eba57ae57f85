package inbox

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(faultChildEnv) != "" {
		os.Exit(faultChild())
	}
	code := m.Run()
	stopDovecot()
	os.Exit(code)
}
