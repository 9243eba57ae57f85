// Package cputime reads the CPU time this process has used, user and
// system together. On a shared, busy machine it compares runs better than
// wall time: kjjr publish records it in its log, and the benchmarks report
// it beside wall time. It is 0 where the system does not say (not Unix).
package cputime
