package sheet

import "kjjr/content"

// Parse placeholder (filled next).
func Parse(data []byte, opts *Options) (*content.Report, error) {
	if fe := guard(data); fe != nil {
		return nil, fe
	}
	return nil, &FormatError{Message: "月报表解析尚未实现"}
}

// Looks placeholder.
func Looks(data []byte) bool { return false }
