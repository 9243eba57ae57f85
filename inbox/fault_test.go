package inbox

const faultChildEnv = "KJJR_INBOX_FAULT_CHILD"

func faultChild() int { return 0 }
