package inbox

import submit "kjjr/submission"

// trailers returns the trailers of a commit message as the contract
// parses them (submission.ParseTrailers).
func trailers(msg string) map[string]string { return submit.ParseTrailers(msg) }
