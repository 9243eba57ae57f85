//go:build !unix

package publish

import "errors"

var errNoLock = errors.New("publish: needs a Unix system (file locks, symlinks)")

func lockDir(string) (func(), error)       { return nil, errNoLock }
func tryLock(string) (func(), bool, error) { return nil, false, errNoLock }
