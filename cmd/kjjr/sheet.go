package main

func cmdSheet(e *env, args []string) int { return notYet(e, "sheet") }
